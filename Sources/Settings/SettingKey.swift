import Foundation

/// The configuration keys bilet understands, with the form each one takes.
///
/// A key is written dotted in the JSON file (`database.pool_size`, nested objects or a
/// dotted name both work) and upper-cased with a `BILET_` prefix in the environment
/// (`BILET_DATABASE_POOL_SIZE`). The environment wins over the file.
public struct SettingKey: Hashable, Sendable {
    /// The dotted name, for example `log.level`.
    public let name: String
    /// The expected form, in words, used in error messages and in `bilet config keys`.
    public let form: String
    /// Whether the value is secret (a connection string may hold a password).
    public let isSecret: Bool

    init(_ name: String, form: String, isSecret: Bool = false) {
        self.name = name
        self.form = form
        self.isSecret = isSecret
    }

    /// The environment variable that overrides this key.
    public var environmentName: String { Self.environmentName(of: name) }

    static func environmentName(of name: String) -> String {
        "BILET_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// Every key bilet reads.
    public static let all: [SettingKey] = [
        .databaseURL, .databasePoolSize, .databaseAcquireTimeout, .databaseLocalDirectory, .databaseCredentialsDirectory,
        .logLevel, .logFormat, .policyDirectory, .auditSigningKey, .auditOrigin, .auditCheckpointDirectory,
        .gatewayListeners, .gatewayCertificate, .gatewayPrivateKey, .gatewayGOSTCertificate, .gatewayGOSTPrivateKey,
        .gatewayClientCABundle, .gatewayCRL, .gatewayTicketKey, .vaultControlSocket, .caDirectory, .caIssuingPassphraseFile,
        .vaultDoorSocket, .vaultDoorUsers, .caSocket, .caSocketUsers, .gatewayMaxConnectionsPerAddress, .caRenewalOverlap,
        .gatewayPupilSessionRate, .gatewayPupilAddressRate, .gatewayPupilTokenTTL, .gatewayAdminListener,
    ]

    public static let databaseURL = SettingKey(
        "database.url",
        form: "a libpq connection string or postgresql:// URI (several hosts allowed); when absent, bilet runs a private PostgreSQL under database.local_directory",
        isSecret: true)
    public static let databasePoolSize = SettingKey(
        "database.pool_size", form: "a whole number from 1 to 500")
    public static let databaseAcquireTimeout = SettingKey(
        "database.acquire_timeout_ms", form: "a whole number of milliseconds from 1 to 60000")
    public static let databaseLocalDirectory = SettingKey(
        "database.local_directory", form: "a directory path for the private PostgreSQL cluster")
    public static let policyDirectory = SettingKey(
        "policy.directory", form: "the directory holding the schema and the .policy files (default policies)")
    public static let auditSigningKey = SettingKey(
        "audit.signing_key",
        form: "the path of a PKCS#8 PEM Ed25519 or GOST key (made by `bilet audit keygen`) that signs checkpoints; without it a private-cluster run makes a development key under var/audit")
    public static let auditOrigin = SettingKey(
        "audit.origin", form: "the log's origin line, such as bilet.example.ru/audit (no spaces or newlines)")
    public static let auditCheckpointDirectory = SettingKey(
        "audit.checkpoint_directory", form: "a directory path where signed checkpoints are also written")
    public static let logLevel = SettingKey(
        "log.level", form: "one of trace, debug, info, notice, warning, error, critical")
    public static let logFormat = SettingKey(
        "log.format", form: "json or text")

    public static let gatewayListeners = SettingKey(
        "gateway.listeners",
        form: "a comma-separated list of name@host:port/auth[/profile] (auth required, optional or none; profile hardened or gost; port 0 to 65535, 0 picks a free one; names and addresses unique), e.g. workstations@127.0.0.1:8443/required,pupils@127.0.0.1:8444/none; when absent, no gateway runs")
    public static let gatewayAdminListener = SettingKey(
        "gateway.admin_listener",
        form: "name@host:port of the admin listener (/metrics, /readyz, /healthz), which requires the monitoring client certificate bilet://service/monitoring, e.g. admin@127.0.0.1:8446; name and address unlike every gateway.listeners entry; when absent, no admin listener runs")
    public static let gatewayCertificate = SettingKey(
        "gateway.certificate", form: "the path of the gateway's server certificate chain, PEM (required with gateway.listeners)")
    public static let gatewayPrivateKey = SettingKey(
        "gateway.private_key", form: "the path of the private key of gateway.certificate, PEM (required with gateway.listeners)")
    public static let gatewayGOSTCertificate = SettingKey(
        "gateway.gost_certificate",
        form: "the path of a GOST R 34.10-2012 server certificate chain, PEM, with gateway.gost_private_key (required by a gost listener)")
    public static let gatewayGOSTPrivateKey = SettingKey(
        "gateway.gost_private_key", form: "the path of the private key of gateway.gost_certificate, PEM, with gateway.gost_certificate")
    public static let gatewayClientCABundle = SettingKey(
        "gateway.client_ca_bundle", form: "the path of the CA bundle client certificates must chain to, PEM (required with gateway.listeners)")
    public static let gatewayCRL = SettingKey(
        "gateway.crl", form: "the path of the CRL file the gateway enforces and keeps current from the CA, PEM (required with gateway.listeners)")
    public static let gatewayTicketKey = SettingKey(
        "gateway.ticket_key", form: "the path of a 64-byte session ticket key, raw or base64 (optional; generated per process when absent)")
    public static let vaultControlSocket = SettingKey(
        "vault.control_socket", form: "the path of the vault's control socket (default var/vault/control.sock; at most 100 bytes)")
    public static let caDirectory = SettingKey(
        "ca.directory", form: "the CA directory made by `bilet certs init`, with ca.issuing_passphrase_file; when set, the gateway serves certificate renewal")
    public static let gatewayMaxConnectionsPerAddress = SettingKey(
        "gateway.max_connections_per_address",
        form: "an integer from 1 to 100000: open connections allowed from one client address per listener (default 256; a school's NAT shares one address)")
    public static let databaseCredentialsDirectory = SettingKey(
        "database.credentials_directory",
        form: "the directory of each component role's 0600 password file, written by `bilet db migrate` (default: credentials beside database.local_directory, or var/credentials with database.url)")
    public static let caSocketUsers = SettingKey(
        "ca.socket_users",
        form: "comma-separated system user names whose processes may forward renewals to the CA (default: the CA's own user only)")
    public static let vaultDoorSocket = SettingKey(
        "vault.door_socket",
        form: "the path of the vault's door socket, which gateways call (default: vault-door/door.sock beside the directory of vault.control_socket, a directory of its own; at most 100 bytes)")
    public static let vaultDoorUsers = SettingKey(
        "vault.door_users",
        form: "comma-separated system user names whose processes may call the vault's door (default: the vault's own user only)")
    public static let caSocket = SettingKey(
        "ca.socket",
        form: "the path of the CA process's renewal socket, which gateways forward renewals to (default: ca/renew.sock beside the directory of vault.control_socket; at most 100 bytes)")
    public static let caIssuingPassphraseFile = SettingKey(
        "ca.issuing_passphrase_file", form: "the path of the 0600 file holding the issuing CAs' passphrase, with ca.directory")
    public static let caRenewalOverlap = SettingKey(
        "ca.renewal_overlap_seconds",
        form: "a whole number of seconds from 0 to 2592000 (default 86400): how long a renewed certificate stays valid beside its successor before the CA revokes it as superseded")
    public static let gatewayPupilSessionRate = SettingKey(
        "gateway.pupil_session_rate",
        form: "requests per second/burst, each a whole number (1 to 100000 / 1 to 1000000), or off (default 10/30): the pupils' listener's limit per pupil session, answered 429 rate-limited")
    public static let gatewayPupilAddressRate = SettingKey(
        "gateway.pupil_address_rate",
        form: "requests per second/burst, each a whole number (1 to 100000 / 1 to 1000000), or off (default 1000/2000): the pupils' listener's limit per client address (a school's NAT shares one), answered 429 rate-limited")
    public static let gatewayPupilTokenTTL = SettingKey(
        "gateway.pupil_token_ttl_seconds",
        form: "a whole number of seconds from 1 to 3600 (default 60): how long the gateway keeps a pupil session's module token before asking the vault again; a consent withdrawal or an erasure takes effect within it")
}
