import Foundation

/// The versioned catalogue of audit event types and their fields: the contract between the
/// components that write audit records and the compliance officers who read them. It is
/// published as `audit/catalogue/v<version>.json` (a test checks the file matches this code).
///
/// Versions: ``v1`` (the first published set), ``v2`` (admin actions on the vault, legal holds,
/// retention ends, consent scan downloads, and the policy version on `pii.read`) and ``v3``
/// (``current``: the database roles allowed to write each type, aggregated authentication failures,
/// and the subject-access request register, see `AuditCatalogue+AccessRequests.swift`).
/// A published version never changes; events record the version they were written under, so a
/// v1 record is read against v1.
///
/// Every event has an actor (an identifier, never a name). Whether it has a subject token, a
/// decision and a purpose, and which fields it carries, is fixed per type. Appending an event
/// that does not match its entry is refused (``AuditError/Code/invalidEvent``).
public struct AuditCatalogue: Sendable, Hashable, Codable {
    /// Whether an event type has a top-level attribute.
    public enum Presence: String, Sendable, Hashable, Codable {
        /// Must be present.
        case required
        /// May be present.
        case optional
        /// Must be absent.
        case absent
    }

    /// One field of an event type.
    public struct Field: Sendable, Hashable, Codable {
        /// The field name (a code).
        public let name: String
        /// The kind of value.
        public let kind: AuditFieldKind
        /// Whether every event of the type has it.
        public let required: Bool
        /// What it records, for compliance officers.
        public let description: String
    }

    /// One event type.
    public struct Entry: Sendable, Hashable, Codable {
        /// The type name (`pii.read`), stored in `audit.events.kind`.
        public let type: String
        /// What happened, for compliance officers.
        public let description: String
        /// Whether the event names a data subject (by token).
        public let subject: Presence
        /// Whether it records a decision (`permit`, `deny` or `error`).
        public let decision: Presence
        /// Whether it records a purpose code.
        public let purpose: Presence
        /// The payload fields.
        public let fields: [Field]
        /// The database roles that may write the type (from v3; nil in earlier versions). The
        /// database enforces it: `audit.writer_kinds` holds exactly these pairs (migration 0510).
        public var writers: [String]? = nil
    }

    /// The catalogue version; stored with every event.
    public let version: Int
    /// The event types, sorted by name.
    public let entries: [Entry]

    /// The entry for `type`, if the catalogue has it.
    public func entry(for type: String) -> Entry? {
        entries.first { $0.type == type }
    }

    /// The decisions an event may record.
    public static let decisions: Set<String> = ["permit", "deny", "error"]

    /// The catalogue as pretty-printed JSON with sorted keys, as published in `audit/catalogue/`.
    public func jsonRepresentation() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and arrays cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }
}

extension AuditCatalogue {
    private static func field(_ name: String, _ kind: AuditFieldKind, required: Bool = true, _ description: String) -> Field {
        Field(name: name, kind: kind, required: required, description: description)
    }

    private static func certificate(_ type: String, _ description: String, reason: Bool) -> Entry {
        Entry(type: type, description: description, subject: .absent, decision: .absent, purpose: .absent, fields: [
            field("serial", .identifier, "Certificate serial number (serial:<hex>)."),
            field("identity", .identifier, "Identity URI in the certificate's SAN (bilet://school/77-1234/ws/3)."),
            field("profile", .code, "Certificate profile (workstation, service, staff)."),
        ] + (reason ? [field("reason", .code, "Revocation reason code (key_compromise, superseded, cessation_of_operation …).")] : []))
    }

    /// An administrative change of a setting on one subject's data: set or cleared.
    private static func subjectSetting(_ type: String, _ description: String) -> Entry {
        Entry(type: type, description: description, subject: .required, decision: .absent, purpose: .absent, fields: [
            field("change", .code, "set or cleared."),
        ])
    }

    /// An administrative action on the vault as a whole (no subject, decision or purpose).
    private static func vaultAdministration(_ type: String, _ description: String, _ fields: [Field]) -> Entry {
        Entry(type: type, description: description, subject: .absent, decision: .absent, purpose: .absent, fields: fields)
    }

    /// The version new events are written under.
    public static let current = v4

    /// Catalogue version 3: version 2 with the database roles allowed to write each type
    /// (``Entry/writers``), `auth.failed` able to stand for several failures of one principal
    /// within a window (`count`, `window_seconds`) and to name the issuer of a refused client
    /// certificate (`issuer`), written by the CA too for a refused certificate renewal (method
    /// `certificate_renewal`, the refusal code as reason), and the subject-access request register
    /// (``withAccessRequests(_:)``: `request` on `pii.read`, the `access_request.handled` type).
    /// Every v2 record is also a valid v3 record.
    public static let v3 = AuditCatalogue(
        version: 3,
        entries: withAccessRequests(v2.entries).sorted { $0.type < $1.type }.map { entry in
            var fields = entry.fields
            if entry.type == "auth.failed" { fields += authFailedV3Fields }
            var updated = Entry(
                type: entry.type, description: entry.description, subject: entry.subject, decision: entry.decision,
                purpose: entry.purpose, fields: fields)
            updated.writers = writers[entry.type] ?? []
            return updated
        })

    /// `auth.failed` from v3: aggregation of repeated failures, and the issuer of a refused certificate.
    private static let authFailedV3Fields: [Field] = [
        field("count", .count, required: false,
              "Number of failed attempts this record stands for, when the failures of one principal beyond the per-minute threshold are aggregated (absent: one)."),
        field("window_seconds", .count, required: false, "Length of the window the aggregated failures fell in, in seconds."),
        field("issuer", .digest, required: false, "SHA-256 of the issuer name (DER) of a refused client certificate."),
    ]

    /// The database roles that write each type today (the code paths that append it); a type no
    /// role writes (config.changed) has none. Migration 0510 grants exactly these.
    public static let writers: [String: [String]] = [
        "access_request.handled": ["bilet_vault"],
        "account.changed": ["bilet_account_admin"],
        "audit.read": ["bilet_gateway"],
        "auth.failed": ["bilet_accounts", "bilet_ca", "bilet_vault"],
        "auth.succeeded": ["bilet_accounts"],
        "certificate.issued": ["bilet_ca"],
        "certificate.renewed": ["bilet_ca"],
        "certificate.revoked": ["bilet_ca"],
        "consent.changed": ["bilet_vault"],
        "consent.scan_downloaded": ["bilet_vault"],
        "key.rotated": ["bilet_vault"],
        "legal_hold.changed": ["bilet_vault"],
        "pii.read": ["bilet_vault"],
        "pii.searched": ["bilet_vault"],
        "pii.written": ["bilet_vault"],
        "policy.decided": ["bilet_gateway", "bilet_vault"],
        "policy.reloaded": ["bilet_gateway", "bilet_vault"],
        "retention.changed": ["bilet_vault"],
        "session.ended": ["bilet_account_admin", "bilet_accounts"],
        "subject.erased": ["bilet_vault"],
        "token.resolved": ["bilet_vault"],
        "vault.initialised": ["bilet_vault"],
        "vault.sealed": ["bilet_vault"],
        "vault.unsealed": ["bilet_vault"],
    ]

    /// Every catalogue version, oldest first.
    public static let versions: [AuditCatalogue] = [v1, v2, v3, v4]

    /// Catalogue version 2: version 1, `pii.read` and `audit.read` with the policy set version, and
    /// the events invariant 5 asks for that v1 lacked (vault initialised, unsealed, sealed; legal
    /// hold and retention end changed; consent scan downloaded; staff accounts changed; staff
    /// sessions ended).
    public static let v2 = AuditCatalogue(
        version: 2,
        entries: (v1.entries.map(withPolicyVersionInV2) + v2Additions).sorted { $0.type < $1.type })

    /// `pii.read` and `audit.read` record, from v2, the version of the policy set that decided.
    private static func withPolicyVersionInV2(_ v1: Entry) -> Entry {
        let description = switch v1.type {
        case "pii.read": "SHA-256 of the policy set that decided."
        case "audit.read": "SHA-256 of the policy set that permitted the read (reads over the HTTP API)."
        default: ""
        }
        guard !description.isEmpty else { return v1 }
        return Entry(
            type: v1.type, description: v1.description, subject: v1.subject, decision: v1.decision, purpose: v1.purpose,
            fields: v1.fields + [field("policy_version", .digest, required: false, description)])
    }

    private static let v2Additions: [Entry] = [
        Entry(type: "account.changed", description: "A staff account was created or disabled by an administrator.",
              subject: .absent, decision: .absent, purpose: .absent, fields: [
                  field("account", .identifier, "The account (user:usr_…), never its login."),
                  field("change", .code, "created or disabled."),
                  field("role", .code, required: false, "The account's role."),
              ]),
        Entry(type: "session.ended", description: "A staff session ended before its expiry: logout, certificate revoked or account disabled.",
              subject: .absent, decision: .absent, purpose: .absent, fields: [
                  field("session", .token, "Token of the session ended."),
                  field("reason", .code, "logout, certificate-revoked or account-disabled."),
                  field("certificate", .identifier, required: false, "Serial of the workstation certificate the session was bound to."),
              ]),
        Entry(type: "consent.scan_downloaded", description: "The scan of a signed paper consent was downloaded through the vault.",
              subject: .required, decision: .required, purpose: .required, fields: [
                  field("consent", .token, "Token of the consent whose scan was asked for."),
                  field("format", .code, required: false, "pdf or jpeg, when the scan was released."),
                  field("reason", .code, required: false, "Refusal reason code when the decision is deny or error."),
                  field("policy_version", .digest, required: false, "SHA-256 of the policy set that decided."),
              ]),
        subjectSetting("legal_hold.changed", "A legal hold on a subject's data was set (erasure and retention stop) or cleared."),
        subjectSetting(
            "retention.changed", "The date by which a subject's data must be destroyed was set or cleared (the date itself is not recorded)."),
        vaultAdministration("vault.initialised", "The vault's key hierarchy was created (seal record and the first KEK).", [
            field("method", .code, "How the master key is unsealed: passphrase or key_file."),
            field("kek_version", .count, "Version of the first KEK."),
        ]),
        vaultAdministration("vault.sealed", "The vault's keys were dropped from memory (seal).", [
            field("previous_state", .code, "unsealed, or sealed when it already was."),
        ]),
        vaultAdministration("vault.unsealed", "The vault was unsealed: the master key was derived and the KEKs loaded.", [
            field("method", .code, "passphrase or key_file."),
            field("kek_count", .count, "Number of KEK versions loaded."),
        ]),
    ]

    /// Catalogue version 1.
    public static let v1 = AuditCatalogue(version: 1, entries: [
        Entry(type: "audit.read", description: "A compliance officer or service read the audit log itself (query, report, export, proof, verify, gaps).",
              subject: .optional, decision: .absent, purpose: .required, fields: [
                  field("query", .code, "Which tool was used (query, report, export, prove, consistency, gaps, verify)."),
                  field("filters", .fieldNames, required: false, "Names of the filters used (subject, actor, type, decision, from, to); never their values except the subject token above."),
                  field("result_count", .count, required: false, "Number of records returned."),
              ]),
        Entry(type: "auth.failed", description: "An authentication attempt failed.", subject: .absent, decision: .absent, purpose: .absent, fields: [
            field("method", .code, "password, certificate, session or ticket."),
            field("reason", .code, "Why it failed (wrong_password, unknown_account, certificate_expired, certificate_revoked, locked …)."),
            field("attempted_account", .keyedHash, required: false, "Keyed hash of the account name typed, which may itself be personal data."),
            field("certificate", .identifier, required: false, "Serial of the client certificate presented, if any."),
        ]),
        Entry(type: "auth.succeeded", description: "A principal authenticated.", subject: .absent, decision: .absent, purpose: .absent, fields: [
            field("method", .code, "password, certificate, password_and_certificate, session or ticket."),
            field("session", .token, required: false, "Token of the session opened."),
            field("certificate", .identifier, required: false, "Serial of the client certificate used."),
        ]),
        certificate("certificate.issued", "The platform CA issued a certificate.", reason: false),
        certificate("certificate.renewed", "A certificate was renewed before expiry.", reason: false),
        certificate("certificate.revoked", "A certificate was revoked.", reason: true),
        Entry(type: "config.changed", description: "The running configuration changed.", subject: .absent, decision: .absent, purpose: .absent, fields: [
            field("keys", .fieldNames, "Names of the settings that changed (never their values)."),
            field("digest", .digest, required: false, "SHA-256 of the new configuration file."),
        ]),
        Entry(type: "consent.changed", description: "A consent to processing a pupil's data was given, withdrawn, amended or expired.",
              subject: .required, decision: .absent, purpose: .absent, fields: [
                  field("consent", .token, "Token of the consent record."),
                  field("change", .code, "granted, withdrawn, amended or expired."),
                  field("purposes", .fieldNames, "Purpose codes the consent covers after the change."),
                  field("given_by", .code, "Who gave it: parent, guardian or pupil."),
              ]),
        Entry(type: "key.rotated", description: "A key was rotated (KEK, token key, audit signing key, TLS ticket key).",
              subject: .absent, decision: .absent, purpose: .absent, fields: [
                  field("key", .identifier, "Which key (key:kek, key:audit-checkpoint …)."),
                  field("from_version", .count, "Version before rotation."),
                  field("to_version", .count, "Version after rotation."),
              ]),
        Entry(type: "pii.read", description: "Personal data of a pupil was read through the vault.", subject: .required, decision: .required, purpose: .required, fields: [
            field("fields_requested", .fieldNames, "Field names asked for."),
            field("fields_returned", .fieldNames, "Field names actually returned (empty when refused)."),
            field("consent", .token, required: false, "Token of the consent the read relied on."),
            field("reason", .code, required: false, "Refusal reason code when the decision is deny or error."),
        ]),
        Entry(type: "pii.searched", description: "The vault was searched by a sensitive value (SNILS, phone, address).",
              subject: .absent, decision: .required, purpose: .required, fields: [
                  field("field", .code, "Field searched (snils, phone …)."),
                  field("value", .keyedHash, "Keyed hash of the value searched for."),
                  field("result_count", .count, "Number of subjects found."),
              ]),
        Entry(type: "pii.written", description: "Personal data of a pupil was created or changed.", subject: .required, decision: .required, purpose: .required, fields: [
            field("fields_written", .fieldNames, "Field names written."),
            field("operation", .code, "create or update."),
        ]),
        Entry(type: "policy.decided", description: "The policy engine decided on a request.", subject: .optional, decision: .required, purpose: .optional, fields: [
            field("action", .code, "The action asked for."),
            field("resource", .code, "The kind of resource."),
            field("fields_requested", .fieldNames, required: false, "Field names asked for."),
            field("rule", .code, required: false, "The rule that decided."),
            field("policy_version", .digest, required: false, "SHA-256 of the policy set in force."),
        ]),
        Entry(type: "policy.reloaded", description: "The policy set was reloaded.", subject: .absent, decision: .absent, purpose: .absent, fields: [
            field("policy_version", .digest, "SHA-256 of the new policy set."),
            field("outcome", .code, "applied or rejected."),
        ]),
        Entry(type: "subject.erased", description: "A pupil's personal data was erased (data key destroyed).", subject: .required, decision: .absent, purpose: .absent, fields: [
            field("reason", .code, "Why (consent_withdrawn, retention_expired, request …)."),
            field("categories", .fieldNames, "Categories of data destroyed."),
        ]),
        Entry(type: "token.resolved", description: "A token was resolved to personal data for a module or a person.", subject: .required, decision: .required, purpose: .required, fields: [
            field("fields_returned", .fieldNames, "Field names returned."),
            field("consent", .token, required: false, "Token of the consent relied on."),
        ]),
    ])
}
