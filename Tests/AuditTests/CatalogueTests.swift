@testable import Audit
import Foundation
import GnuTLS
import Testing

@Suite("Event catalogue and keyed hashes")
struct CatalogueTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("audit/catalogue/v1.json is exactly the catalogue the code enforces")
    func publishedCatalogue() throws {
        let published = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("audit/catalogue/v1.json"), encoding: .utf8)
        #expect(published == AuditCatalogue.v1.jsonRepresentation())
    }

    @Test("audit/catalogue/v2.json stays exactly as published (no writers), beside v1")
    func publishedVersionTwo() throws {
        let url = Self.repositoryRoot.appendingPathComponent("audit/catalogue/v2.json")
        let published = try String(contentsOf: url, encoding: .utf8)
        #expect(published == AuditCatalogue.v2.jsonRepresentation())
        #expect(!published.contains("writers"))
    }

    @Test("audit/catalogue/v3.json stays exactly as published")
    func publishedVersionThree() throws {
        let url = Self.repositoryRoot.appendingPathComponent("audit/catalogue/v3.json")
        let published = try String(contentsOf: url, encoding: .utf8)
        #expect(published == AuditCatalogue.v3.jsonRepresentation())
    }

    @Test("audit/catalogue/v4.json is exactly the current catalogue")
    func publishedCurrentCatalogue() throws {
        let url = Self.repositoryRoot.appendingPathComponent("audit/catalogue/v4.json")
        if ProcessInfo.processInfo.environment["BILET_WRITE_CATALOGUE"] == "1" {
            try AuditCatalogue.v4.jsonRepresentation().write(to: url, atomically: true, encoding: .utf8)
        }
        let published = try String(contentsOf: url, encoding: .utf8)
        #expect(published == AuditCatalogue.v4.jsonRepresentation())
        #expect(AuditCatalogue.current.version == 4)
        #expect(AuditLog().catalogue == AuditCatalogue.current)
    }

    @Test("v4 keeps every v3 type with at least its v3 writers; every v3 record is a valid v4 record")
    func versionFourExtendsVersionThree() throws {
        for old in AuditCatalogue.v3.entries {
            let entry = try #require(AuditCatalogue.v4.entry(for: old.type))
            #expect(entry.fields == old.fields, "\(old.type)")
            #expect(Set(old.writers ?? []).isSubset(of: Set(entry.writers ?? [])), "\(old.type)")
        }
        #expect(AuditCatalogue.v4.entries.allSatisfy { $0.writers != nil })
        _ = try AuditFixture.read(3).validated(against: .v4)
    }

    @Test("v3 is v2 with writers on every type and auth.failed aggregation fields; every v2 record is a valid v3 record")
    func versionThree() throws {
        for entry in AuditCatalogue.v3.entries {
            guard let old = AuditCatalogue.v2.entry(for: entry.type) else {
                #expect(entry.type == "access_request.handled")
                #expect(entry.writers == ["bilet_vault"])
                continue
            }
            #expect(old.writers == nil)
            #expect(entry.writers == AuditCatalogue.writers[entry.type] ?? [], "\(entry.type)")
            if entry.type == "auth.failed" {
                #expect(entry.fields.prefix(old.fields.count) == old.fields[...])
                #expect(entry.fields.dropFirst(old.fields.count).map(\.name) == ["count", "window_seconds", "issuer"])
                #expect(entry.fields.allSatisfy { old.fields.contains($0) || !$0.required })
            } else if entry.type == "pii.read" {
                #expect(entry.fields.dropLast() == old.fields[...])
            } else {
                #expect(entry.fields == old.fields, "\(entry.type)")
            }
        }
        // Only the vault writes pii.read; nobody writes config.changed.
        #expect(AuditCatalogue.v3.entry(for: "pii.read")?.writers == ["bilet_vault"])
        #expect(AuditCatalogue.v3.entry(for: "config.changed")?.writers == [])
        _ = try AuditFixture.read(3).validated(against: .v3)
        let aggregated = AuditEvent(type: "auth.failed", actor: "bilet://school/77-1234/ws/3", fields: [
            "method": .string("session"), "reason": .string("aggregated"), "count": .integer(90), "window_seconds": .integer(60),
        ])
        _ = try aggregated.validated(against: .v3)
        #expect(throws: AuditError.self) { try aggregated.validated(against: .v2) }
    }

    /// Finding M-1: a policy reload is written by the process that reloaded, as its own role, and an
    /// account change only by the administrators' role, never by the gateway's `bilet_accounts`.
    @Test("v3: policy.reloaded is written by bilet_gateway and bilet_vault, account.changed by bilet_account_admin only")
    func versionThreeReloadAndAccountWriters() {
        #expect(AuditCatalogue.v3.entry(for: "policy.reloaded")?.writers == ["bilet_gateway", "bilet_vault"])
        #expect(AuditCatalogue.v3.entry(for: "account.changed")?.writers == ["bilet_account_admin"])
        #expect(AuditCatalogue.v3.entry(for: "session.ended")?.writers == ["bilet_account_admin", "bilet_accounts"])
        #expect(!AuditCatalogue.v3.entries.contains { $0.writers?.contains("bilet_policy") == true })
    }

    @Test("v3 adds the subject-access request register; the fields of every v2 entry but pii.read and auth.failed are unchanged")
    func versionThreeAccessRequests() throws {
        #expect(Set(AuditCatalogue.v3.entries.map(\.type)) == Set(AuditCatalogue.v2.entries.map(\.type)).union(["access_request.handled"]))
        #expect(AuditCatalogue.v3.entries.map(\.type) == AuditCatalogue.v3.entries.map(\.type).sorted())
        for old in AuditCatalogue.v2.entries where old.type != "pii.read" && old.type != "auth.failed" {
            #expect(AuditCatalogue.v3.entry(for: old.type)?.fields == old.fields, "\(old.type)")
        }
        let read = try #require(AuditCatalogue.v3.entry(for: "pii.read"))
        #expect(read.fields.dropLast() == (try #require(AuditCatalogue.v2.entry(for: "pii.read"))).fields[...])
        #expect(read.fields.last?.name == "request")
        #expect(read.fields.last?.kind == .token)
        #expect(read.fields.last?.required == false)
        // A v2 pii.read still validates under v3; a request reference is refused under v2.
        var event = AuditFixture.read(3)
        _ = try event.validated(against: .v3)
        event.fields["request"] = .string("sar_AAAAAAAAAAAAAAAAAAAAAA")
        _ = try event.validated(against: .v3)
        #expect(throws: AuditError.self) { try event.validated(against: .v2) }
    }

    @Test("v2 is v1 plus the administrative events and the policy version on pii.read and audit.read; nothing of v1 changed meaning")
    func versionTwo() throws {
        let added: Set<String> = [
            "account.changed", "consent.scan_downloaded", "legal_hold.changed", "retention.changed", "session.ended",
            "vault.initialised", "vault.sealed", "vault.unsealed",
        ]
        #expect(Set(AuditCatalogue.v2.entries.map(\.type)) == Set(AuditCatalogue.v1.entries.map(\.type)).union(added))
        #expect(AuditCatalogue.v2.entries.map(\.type) == AuditCatalogue.v2.entries.map(\.type).sorted())
        for old in AuditCatalogue.v1.entries where !["pii.read", "audit.read"].contains(old.type) {
            #expect(AuditCatalogue.v2.entry(for: old.type) == old, "\(old.type)")
        }
        let read = try #require(AuditCatalogue.v2.entry(for: "pii.read"))
        let readV1 = try #require(AuditCatalogue.v1.entry(for: "pii.read"))
        #expect(read.fields.dropLast() == readV1.fields[...])
        #expect(read.fields.last?.name == "policy_version")
        #expect(read.fields.last?.kind == .digest)
        #expect(read.fields.last?.required == false)
        let auditRead = try #require(AuditCatalogue.v2.entry(for: "audit.read"))
        #expect(auditRead.fields.dropLast() == (try #require(AuditCatalogue.v1.entry(for: "audit.read"))).fields[...])
        #expect(auditRead.fields.last?.name == "policy_version")
        // A v1 pii.read still validates under v2; a policy version is refused under v1.
        var event = AuditFixture.read(3)
        _ = try event.validated(against: .v2)
        event.fields["policy_version"] = .string(String(repeating: "ab", count: 32))
        _ = try event.validated(against: .v2)
        #expect(throws: AuditError.self) { try event.validated(against: .v1) }
    }

    @Test("The catalogue covers every event type the issue and invariant 5 require")
    func coverage() {
        let v1: Set<String> = [
            "audit.read", "auth.failed", "auth.succeeded", "certificate.issued", "certificate.renewed", "certificate.revoked",
            "config.changed", "consent.changed", "key.rotated", "pii.read", "pii.searched", "pii.written", "policy.decided",
            "policy.reloaded", "subject.erased", "token.resolved",
        ]
        #expect(Set(AuditCatalogue.v1.entries.map(\.type)) == v1)
        #expect(AuditCatalogue.v1.entries.map(\.type) == AuditCatalogue.v1.entries.map(\.type).sorted())
        let administrative: Set<String> = [
            "account.changed", "consent.scan_downloaded", "legal_hold.changed", "retention.changed", "session.ended",
            "vault.initialised", "vault.sealed", "vault.unsealed",
        ]
        // v4: the school door's areas add their own types (Events/AuditCatalogue+<Area>.swift).
        let v4 = Set(AuditCatalogue.v4Additions.map(\.type))
        #expect(v4.isSuperset(of: ["pupil.duplicate_probed", "duplicate.handled", "consent.scan_uploaded", "pupil.transferred", "pupils.imported"]))
        #expect(Set(AuditCatalogue.current.entries.map(\.type)) == v1.union(administrative).union(["access_request.handled"]).union(v4))
    }

    @Test("A valid event passes and its payload is compact JSON with sorted keys")
    func validEvent() throws {
        let payload = try AuditFixture.read(7).validated(against: .v1)
        #expect(payload == #"{"consent":"con_cccccccccccc00000007","fields_requested":["birth_date","full_name"],"fields_returned":["birth_date","full_name"]}"#)
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        let name: String
        let event: AuditEvent
        let reason: String
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = {
        var list: [Refusal] = []
        func variant(_ name: String, _ reason: String, _ change: (inout AuditEvent) -> Void) {
            var event = AuditFixture.read(1)
            change(&event)
            list.append(Refusal(name: name, event: event, reason: reason))
        }
        variant("unknown type", "unknown event type (not in catalogue v1)") { $0.type = "pii.peeked" }
        variant("actor is a name", "pii.read: actor is not an identifier") { $0.actor = "Ivan Petrov" }
        variant("subject is a name", "pii.read: subject is malformed") { $0.subject = "Petrova Anna" }
        variant("subject missing", "pii.read: subject is required") { $0.subject = nil }
        variant("decision missing", "pii.read: decision is required") { $0.decision = nil }
        variant("decision unknown", "pii.read: decision is malformed") { $0.decision = "maybe" }
        variant("purpose is free text", "pii.read: purpose is malformed") { $0.purpose = "because the mother asked" }
        variant("unknown field", "pii.read: unknown field (not in catalogue v1)") { $0.fields["note"] = .string("free text") }
        variant("required field missing", "pii.read: field fields_returned is required") { $0.fields["fields_returned"] = nil }
        variant("field name list holds a value", "pii.read: field fields_returned is not a valid fieldNames") {
            $0.fields["fields_returned"] = .list(["Moscow, Tverskaya 1"])
        }
        variant("token field holds a SNILS", "pii.read: field consent is not a valid token") { $0.fields["consent"] = .string("112-233-445 95") }
        variant("search value in plain text", "pii.searched: field value is not a valid keyedHash") {
            $0 = AuditEvent(type: "pii.searched", actor: "user:usr_1", decision: "permit", purpose: "enrolment",
                            fields: ["field": .string("snils"), "value": .string("112-233-445 95"), "result_count": .integer(1)])
        }
        variant("subject on an event without one", "auth.failed: subject must be absent") {
            $0 = AuditEvent(type: "auth.failed", actor: "user:usr_1", subject: AuditFixture.token(1),
                            fields: ["method": .string("password"), "reason": .string("wrong_password")])
        }
        variant("negative count", "pii.searched: field result_count is not a valid count") {
            $0 = AuditEvent(type: "pii.searched", actor: "user:usr_1", decision: "permit", purpose: "enrolment",
                            fields: ["field": .string("snils"), "value": .string("k1:" + String(repeating: "0", count: 64)), "result_count": .integer(-1)])
        }
        return list
    }()

    @Test("Events that could carry personal data or break the catalogue are refused", arguments: refusals)
    func refused(_ refusal: Refusal) {
        let error = #expect(throws: AuditError.self) { try refusal.event.validated(against: .v1) }
        #expect(error?.code == .invalidEvent)
        #expect(error?.reason == refusal.reason)
    }

    @Test("Keyed hashes: stable per key and field, different across keys and fields, never the value")
    func keyedHashes() throws {
        let source = SymmetricKey(bytes: [UInt8](repeating: 7, count: 32))
        let key = try AuditHashKey(sourceKey: source, version: 3)
        let snils = "112-233-445 95"
        let first = try key.hash(snils, field: "snils")
        #expect(first == (try key.hash(snils, field: "snils")))
        #expect(first != (try key.hash(snils, field: "phone")))
        #expect(first != (try AuditHashKey(sourceKey: SymmetricKey(bytes: [UInt8](repeating: 8, count: 32)), version: 3).hash(snils, field: "snils")))
        #expect(first.description.hasPrefix("k3:"))
        #expect(!first.description.contains("112"))
        #expect(AuditKeyedHash(validating: first.description) == first)
        #expect(AuditKeyedHash(validating: snils) == nil)
        let event = AuditEvent(type: "pii.searched", actor: "user:usr_1", decision: "permit", purpose: "enrolment",
                               fields: ["field": .string("snils"), "value": .string(first.description), "result_count": .integer(1)])
        #expect(try event.validated(against: .v1).contains(first.description))
        #expect(throws: AuditError.self) { try AuditHashKey(sourceKey: SymmetricKey(bytes: [1, 2, 3]), version: 1) }
    }
}
