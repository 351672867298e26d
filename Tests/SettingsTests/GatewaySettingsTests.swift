import Foundation
import Settings
import Testing

/// `gateway.*`, `vault.*` and `ca.*`: the listener list's written form, the files that go with
/// listeners, and the pairs that must come together.
@Suite struct GatewaySettingsTests {
    private func load(_ json: String, environment: [String: String] = [:]) async throws(SettingsError) -> BiletSettings {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("bilet-gateway-settings-\(UUID().uuidString).json").path
        try? json.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await SettingsLoader(environment: environment).load(file: path)
    }

    static let files = #""certificate": "g/server.pem", "private_key": "g/server.key", "client_ca_bundle": "g/ca-bundle.pem", "crl": "g/crl.pem""#
    static let gostFiles = #""gost_certificate": "g/gost-server.pem", "gost_private_key": "g/gost-server.key""#

    @Test func noListenersMeansNoGatewayAndTheDefaultSocket() async throws {
        let settings = try await SettingsLoader(environment: [:]).load(file: nil)
        #expect(settings.gateway == GatewaySettings())
        #expect(!settings.gateway.isEnabled)
        #expect(settings.vault.controlSocket == "var/vault/control.sock")
        #expect(settings.ca == CASettings())
        #expect(!settings.ca.isEnabled)
    }

    @Test func theDocumentedFormIsRead() async throws {
        let settings = try await load("""
            {"gateway": {"listeners": "workstations@127.0.0.1:8443/required, gost@127.0.0.1:8445/required/gost,pupils@[::1]:0/none,staff@0.0.0.0:9443/optional/hardened",
                         \(Self.files), \(Self.gostFiles), "ticket_key": "g/ticket.key"},
             "vault": {"control_socket": "/run/bilet/vault/control.sock"},
             "ca": {"directory": "certs/dev/ca", "issuing_passphrase_file": "certs/dev/ca/issuing.passphrase"}}
            """)
        #expect(settings.gateway.listeners == [
            ListenerSetting(name: "workstations", host: "127.0.0.1", port: 8443, authentication: .required),
            ListenerSetting(name: "gost", host: "127.0.0.1", port: 8445, authentication: .required, profile: .gost),
            ListenerSetting(name: "pupils", host: "::1", port: 0, authentication: .none),
            ListenerSetting(name: "staff", host: "0.0.0.0", port: 9443, authentication: .optional),
        ])
        #expect(settings.gateway.listeners.map(\.written) == [
            "workstations@127.0.0.1:8443/required", "gost@127.0.0.1:8445/required/gost", "pupils@[::1]:0/none",
            "staff@0.0.0.0:9443/optional",
        ])
        #expect(settings.gateway.certificate == "g/server.pem")
        #expect(settings.gateway.privateKey == "g/server.key")
        #expect(settings.gateway.gostCertificate == "g/gost-server.pem")
        #expect(settings.gateway.gostPrivateKey == "g/gost-server.key")
        #expect(settings.gateway.clientCABundle == "g/ca-bundle.pem")
        #expect(settings.gateway.revocationList == "g/crl.pem")
        #expect(settings.gateway.ticketKey == "g/ticket.key")
        #expect(settings.vault.controlSocket == "/run/bilet/vault/control.sock")
        #expect(settings.ca.directory == "certs/dev/ca")
        #expect(settings.ca.issuingPassphraseFile == "certs/dev/ca/issuing.passphrase")
        // The local sockets between the processes default beside the vault's control socket.
        #expect(settings.vault.doorSocket == "/run/bilet/vault-door/door.sock")
        #expect(settings.ca.socket == "/run/bilet/ca/renew.sock")
    }

    @Test func theEnvironmentSetsListeners() async throws {
        let settings = try await load(
            "{\"gateway\": {\(Self.files)}}", environment: ["BILET_GATEWAY_LISTENERS": "ws@127.0.0.1:0/required"])
        #expect(settings.gateway.listeners == [ListenerSetting(name: "ws", host: "127.0.0.1", port: 0, authentication: .required)])
    }

    /// Each malformed list is refused with the key's name and the entry's fault in words.
    @Test(arguments: [
        ("", "the list is empty"),
        ("ws@127.0.0.1:8443/required,ws@127.0.0.1:8444/none", "the name 'ws' is used twice"),
        ("a@127.0.0.1:8443/required,b@127.0.0.1:8443/none", "the address 127.0.0.1:8443 is used twice"),
        ("ws@127.0.0.1:65536/required", "the port must be a whole number from 0 to 65535"),
        ("ws@127.0.0.1:-1/required", "the port must be a whole number from 0 to 65535"),
        ("ws@127.0.0.1:http/required", "the port must be a whole number from 0 to 65535"),
        ("ws@127.0.0.1/required", "no ':port' after the host"),
        ("ws@127.0.0.1:8443/mutual", "unknown client authentication"),
        ("ws@127.0.0.1:8443/required/fips", "unknown profile"),
        ("ws@127.0.0.1:8443", "expected host:port/auth"),
        ("ws@127.0.0.1:8443/required/gost/extra", "expected host:port/auth"),
        ("127.0.0.1:8443/required", "no '@' after the name"),
        ("Work Stations@127.0.0.1:8443/required", "the name must be"),
        ("ws@:8443/required", "the host is empty"),
        ("ws@[::1]8443/required", "an IPv6 address is written [address]:port"),
        ("ws@127.0.0.1:8443/required,", "entry 2:"),
    ])
    func badListenerListNamesTheKey(list: String, reason: String) async throws {
        let json = "{\"gateway\": {\"listeners\": \(Self.quoted(list)), \(Self.files)}}"
        let error = await #expect(throws: SettingsError.self) { try await load(json) }
        #expect(error?.code == .invalidValue)
        #expect(error?.key == "gateway.listeners")
        #expect(error?.description.contains("'gateway.listeners'") == true)
        #expect(error?.description.contains("BILET_GATEWAY_LISTENERS") == true)
        #expect(error?.expected.contains(reason) == true, "\(error?.expected ?? "")")
    }

    /// Listeners need the key pair, the CA bundle and the CRL; pairs come together; a gost
    /// listener needs the GOST pair. The error names the missing key.
    @Test(arguments: [
        (#"{"gateway": {"listeners": "ws@127.0.0.1:0/required", "private_key": "k", "client_ca_bundle": "b", "crl": "c"}}"#, "gateway.certificate", SettingsError.Code.missingValue),
        (#"{"gateway": {"listeners": "ws@127.0.0.1:0/required", "certificate": "c", "client_ca_bundle": "b", "crl": "c"}}"#, "gateway.private_key", .missingValue),
        (#"{"gateway": {"listeners": "ws@127.0.0.1:0/required", "certificate": "c", "private_key": "k", "crl": "c"}}"#, "gateway.client_ca_bundle", .missingValue),
        (#"{"gateway": {"listeners": "ws@127.0.0.1:0/required", "certificate": "c", "private_key": "k", "client_ca_bundle": "b"}}"#, "gateway.crl", .missingValue),
        (#"{"gateway": {"listeners": "g@127.0.0.1:0/required/gost", "certificate": "c", "private_key": "k", "client_ca_bundle": "b", "crl": "c"}}"#, "gateway.gost_certificate", .missingValue),
        (#"{"gateway": {"gost_certificate": "c"}}"#, "gateway.gost_private_key", .missingValue),
        (#"{"gateway": {"gost_private_key": "k"}}"#, "gateway.gost_certificate", .missingValue),
        (#"{"gateway": {"certificate": ""}}"#, "gateway.certificate", .invalidValue),
        (#"{"gateway": {"listeners": 8443}}"#, "gateway.listeners", .invalidValue),
        (#"{"ca": {"directory": "certs/dev/ca"}}"#, "ca.issuing_passphrase_file", .missingValue),
        (#"{"ca": {"issuing_passphrase_file": "p"}}"#, "ca.directory", .missingValue),
        (#"{"vault": {"control_socket": ""}}"#, "vault.control_socket", .invalidValue),
    ])
    func incompleteGatewayOrCAConfigurationNamesTheKey(json: String, key: String, code: SettingsError.Code) async throws {
        let error = await #expect(throws: SettingsError.self) { try await load(json) }
        #expect(error?.code == code)
        #expect(error?.key == key)
        #expect(error?.description.contains("'\(key)'") == true)
    }

    /// The admin listener: `name@host:port`, always requiring a client certificate.
    @Test func theAdminListenerIsRead() async throws {
        let settings = try await load(
            #"{"gateway": {"listeners": "ws@127.0.0.1:8443/required", "admin_listener": "admin@127.0.0.1:8446", \#(Self.files)}}"#)
        #expect(settings.gateway.adminListener == ListenerSetting(name: "admin", host: "127.0.0.1", port: 8446, authentication: .required))
        let none = try await load(#"{"gateway": {"listeners": "ws@127.0.0.1:8443/required", \#(Self.files)}}"#)
        #expect(none.gateway.adminListener == nil)
    }

    /// A bad admin listener is refused with the key's name and the fault in words.
    @Test(arguments: [
        ("ws@127.0.0.1:8446", "the name 'ws' is a listener's"),
        ("admin@127.0.0.1:8443", "the address is a listener's"),
        ("admin@127.0.0.1:8446/none", "no /auth or /profile"),
        ("admin@127.0.0.1", "no ':port' after the host"),
        ("Admin@127.0.0.1:8446", "the name must be"),
    ])
    func badAdminListenerNamesTheKey(entry: String, reason: String) async throws {
        let json = "{\"gateway\": {\"listeners\": \"ws@127.0.0.1:8443/required\", \"admin_listener\": \(Self.quoted(entry)), \(Self.files)}}"
        let error = await #expect(throws: SettingsError.self) { try await load(json) }
        #expect(error?.code == .invalidValue)
        #expect(error?.key == "gateway.admin_listener")
        #expect(error?.expected.contains(reason) == true, "\(error?.expected ?? "")")
    }

    @Test func anAdminListenerNeedsListeners() async throws {
        let error = await #expect(throws: SettingsError.self) { try await load(#"{"gateway": {"admin_listener": "admin@127.0.0.1:8446"}}"#) }
        #expect(error?.key == "gateway.admin_listener")
        #expect(error?.expected.contains("it needs gateway.listeners") == true)
    }

    @Test func aTooLongControlSocketPathIsRefused() async throws {
        let long = "/tmp/" + String(repeating: "v", count: 100) + "/control.sock"
        let error = await #expect(throws: SettingsError.self) {
            try await SettingsLoader(environment: ["BILET_VAULT_CONTROL_SOCKET": long]).load(file: nil)
        }
        #expect(error?.key == "vault.control_socket")
        #expect(error?.code == .invalidValue)
    }

    @Test func everyNewKeyIsListed() {
        let names = Set(SettingKey.all.map(\.name))
        for name in [
            "gateway.listeners", "gateway.certificate", "gateway.private_key", "gateway.gost_certificate", "gateway.gost_private_key",
            "gateway.client_ca_bundle", "gateway.crl", "gateway.ticket_key", "vault.control_socket", "ca.directory",
            "ca.issuing_passphrase_file", "gateway.admin_listener",
        ] {
            #expect(names.contains(name), "\(name)")
        }
    }

    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self)
    }
}
