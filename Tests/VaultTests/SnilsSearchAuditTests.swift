import Audit
import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Review finding L2: a search by SNILS checks the consent as well as the policy, and its audit
/// names every pupil it located (one `pii.read` of the SNILS per pupil found), so the pupil's own
/// access report shows who located them; the search record keeps only a keyed hash of the value.
@Suite("SNILS search: consent and per-pupil audit")
struct SnilsSearchAuditTests {
    /// The SNILS of seed `seed`, as a person would type it (digits only).
    static func typed(_ seed: Int) -> PersonalValue { PersonalValue(Synthetic.snils(seed).filter(\.isNumber)) }

    @Test("a pupil found with a consent covering the SNILS is returned, and the pupil's report shows who located them")
    func foundPupilIsNamedInTheAudit() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(530, purposes: ["enrolment", "parent_request"])
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        let found = try await fixture.vault.findPupils(
            snils: Self.typed(530), purpose: "parent_request", request: request, by: Principals.school())
        #expect(found == [family.pupil.token])

        let reads = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read")
        #expect(reads.count == 1)
        let read = try #require(reads.first)
        #expect(read.decision == "permit")
        #expect(read.purpose == "parent_request")
        #expect(read.actor == "bilet://school/\(Synthetic.school)/ws/1")
        #expect(read.payload.contains("\"fields_requested\": [\"snils\"]"))
        #expect(read.payload.contains("\"fields_returned\": [\"snils\"]"))
        #expect(read.payload.contains("\"consent\": \"cns_"))
        let search = try #require(try await fixture.auditRows(kind: "pii.searched").first)
        #expect(search.decision == "permit")
        #expect(search.payload.contains("\"result_count\": 1"))
        #expect(search.payload.contains("\"value\": \"k1:"))
        // Never the value itself, in any record.
        let digits = Synthetic.snils(530).filter(\.isNumber)
        #expect(try await fixture.auditRows().allSatisfy { !$0.payload.contains(digits) && !$0.payload.contains(Synthetic.snils(530)) })

        // The per-pupil access report a compliance officer reads (/v1/audit/report?subject=).
        let components = fixture.database.components(maxConnectionsPerComponent: 2)
        let reader = components.makePool(for: .audit)
        let recorder = components.makePool(for: .gateway)
        let service = AuditQueryService(reader: reader, recorder: recorder, officer: "user:usr_officer_530", purpose: "audit_review")
        let report = try await service.report(subject: family.pupil.token.rawValue)
        #expect(report.entries.contains { $0.type == "pii.read" && $0.actor == read.actor && $0.purpose == "parent_request" })
        #expect(report.readers == [try #require(read.actor)])
        await reader.shutdown()
        await recorder.shutdown()
        await fixture.shutdown()
    }

    enum Refusal: String, CaseIterable, Sendable {
        /// The pupil has no consent for the purpose at all.
        case noConsentForPurpose
        /// The consent for the purpose leaves the SNILS out.
        case consentWithoutSnils
        /// Another school's pupil: the policy refuses.
        case anotherSchool
    }

    @Test("a pupil the requester may not locate is not returned, and the refusal names the pupil", arguments: Refusal.allCases)
    func refusedPupilIsNamedInTheAudit(_ refusal: Refusal) async throws {
        let fixture = try await VaultFixture.make()
        let now = Date()
        let family = try await fixture.family(531, purposes: refusal == .anotherSchool ? ["enrolment", "parent_request"] : ["enrolment"], now: now)
        if refusal == .consentWithoutSnils {
            _ = try await fixture.vault.recordConsent(
                ConsentFixtures.parental(
                    pupil: family.pupil.token, guardian: family.guardian, purpose: "parent_request", fields: [.surname, .firstName], now: now),
                scan: ConsentFixtures.scan(531), by: Principals.school())
        }
        let requester = refusal == .anotherSchool ? Principals.school(Synthetic.otherSchool) : Principals.school()
        let request = refusal == .anotherSchool ? nil : try await fixture.openAccessRequest(for: family.pupil.token)
        let found = try await fixture.vault.findPupils(snils: Self.typed(531), purpose: "parent_request", request: request, by: requester)
        #expect(found.isEmpty)
        let expected: VaultError.Code = refusal == .anotherSchool ? .policyDenied : .consentMissing
        let reads = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read")
        #expect(reads.count == 1)
        #expect(reads.first?.decision == "deny")
        #expect(reads.first?.payload.contains("\"reason\": \"\(expected.rawValue)\"") == true)
        #expect(reads.first?.payload.contains("\"fields_returned\": []") == true)
        let search = try #require(try await fixture.auditRows(kind: "pii.searched").first)
        #expect(search.decision == "deny")
        #expect(search.payload.contains("\"result_count\": 0"))
        await fixture.shutdown()
    }

    @Test("a search that finds nobody names nobody and still records the keyed hash")
    func nobodyFound() async throws {
        let fixture = try await VaultFixture.make()
        let found = try await fixture.vault.findPupils(snils: Self.typed(532), purpose: "parent_request", by: Principals.school())
        #expect(found.isEmpty)
        #expect(try await fixture.auditRows(kind: "pii.read").isEmpty)
        let search = try #require(try await fixture.auditRows(kind: "pii.searched").first)
        #expect(search.subject == nil)
        #expect(search.decision == "permit")
        #expect(search.payload.contains("\"value\": \"k1:"))
        await fixture.shutdown()
    }
}
