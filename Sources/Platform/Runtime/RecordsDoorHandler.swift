import Foundation
import Logging
import Policy
import PupilImport
import Tokens
package import Vault
package import VaultDoor

/// Answers the door's ``RecordsDoorRequest``s in the vault process: each as the verified caller,
/// through the vault's public API (which decides, checks and audits). A refusal answers one of the
/// door's refusal codes (`DoorCalls` in VaultHTTP renders them) and nothing else; refusals that
/// must look alike are collapsed here: about a pupil, another school's pupil (a policy refusal), an
/// erased one and an unknown token are all `pupil-not-found`; likewise for a subject-access
/// request (`request-not-found`) and a transfer (`transfer-not-found`).
package enum RecordsDoorHandler {
    package static func answer(_ request: RecordsDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        do throws(VaultError) {
            let requester = try Requester(caller: caller, schema: vault.policies.current.schema)
            return .records(try await answer(request, caller: caller, requester: requester, vault: vault))
        } catch {
            let code = DoorRefusals.code(for: error, about: scope(of: request))
            if code == "unavailable" || code == "internal" {
                // The vault error's description names codes and schema objects only, never values.
                logger.warning("records request failed", metadata: ["error": "\(error.description)"])
            }
            return .refused(code: code)
        }
    }

    private static let logger = Logger(label: "bilet.vault.records")

    /// What a request names, for collapsing refusals (``DoorRefusals/code(for:about:)``).
    static func scope(of request: RecordsDoorRequest) -> DoorRefusals.Scope {
        switch request {
        case .consents, .attachScan, .scan, .withdraw, .transfer, .registerAccessRequest: .pupilRecords
        case .answerAccessRequest: .accessRequest
        case .acceptTransfer: .transfer
        case .incomingTransfers, .accessRequests, .importPupils, .lackingConsent, .erasureDeadlines, .destructionRegister: .school
        }
    }

    private static func answer(
        _ request: RecordsDoorRequest, caller: DoorCaller, requester: Requester, vault: Vault
    ) async throws(VaultError) -> RecordsDoorResponse {
        switch request {
        case .consents(let pupil):
            let records = try await vault.consents(of: try subject(pupil), by: requester)
            return .consents(
                records.map {
                    ConsentSummary(
                        consent: $0.token.rawValue, status: $0.state.rawValue, signedOn: $0.signedOn, scope: $0.purpose,
                        scan: $0.scanSHA256 != nil)
                })
        case .attachScan(let pupil, let consent, let mediaType, let content):
            guard let type = ConsentScan.MediaType(rawValue: mediaType), let bytes = Data(base64Encoded: content) else {
                throw VaultError(.documentRejected, reason: "a PDF, JPEG or PNG file")
            }
            _ = try await vault.attachConsentScan(
                try consentToken(consent), of: try subject(pupil), mediaType: type, content: Array(bytes), by: requester)
            return .scanAttached
        case .scan(let pupil, let consent):
            let download = try await vault.consentScan(of: try consentToken(consent), pupil: try subject(pupil), by: requester)
            return .scan(mediaType: download.mediaType.rawValue, content: Data(download.content).base64EncodedString())
        case .withdraw(let pupil, let consent):
            let deadline = try await vault.withdrawConsent(try consentToken(consent), of: try subject(pupil), by: requester)
            return .withdrawn(destructionDeadline: deadline.map { $0.due.ISO8601Format() })
        case .transfer(let pupil, let toSchool):
            let reference = try await vault.requestTransfer(of: try subject(pupil), to: toSchool, by: requester)
            return .transferRequested(transfer: reference.rawValue)
        case .incomingTransfers:
            let transfers = try await vault.incomingTransfers(by: requester)
            return .transfers(
                transfers.map {
                    TransferSummary(
                        transfer: $0.reference.rawValue, pupil: $0.pupil.rawValue, fromSchool: $0.fromSchool,
                        requestedAt: $0.requestedAt.ISO8601Format())
                })
        case .acceptTransfer(let transfer):
            guard let reference = TransferToken(transfer) else { throw VaultError(.unknownTransfer) }
            return .transferAccepted(pupil: try await vault.acceptTransfer(reference, by: requester).rawValue)
        case .registerAccessRequest(let pupil, let receivedOn, let kind):
            guard let kind = AccessRequesterKind(rawValue: kind) else {
                throw VaultError(.invalidValue, reason: "the requester is pupil or guardian")
            }
            let registered = try await vault.registerAccessRequest(
                for: try subject(pupil), receivedOn: receivedOn, requesterKind: kind, by: requester)
            return .accessRequest(summary(registered, today: today()))
        case .accessRequests(let status):
            guard ["open", "overdue"].contains(status) else { throw VaultError(.invalidRequest, reason: "status is open or overdue") }
            let requests = try await vault.schoolAccessRequests(overdueOnly: status == "overdue", by: requester)
            let today = today()
            return .accessRequests(requests.map { summary($0, today: today) })
        case .answerAccessRequest(let request):
            guard let reference = AccessRequestToken(request) else { throw VaultError(.accessRequestUnknown) }
            return .accessRequest(summary(try await vault.answerAccessRequest(reference, by: requester), today: today()))
        case .importPupils(let rows, _):
            return try await importPupils(rows, caller: caller, requester: requester, vault: vault)
        case .lackingConsent(let purpose):
            let gaps = try await vault.schoolPupilsLackingConsent(purpose: purpose, by: requester)
            return .consentGaps(gaps.map { ConsentGapSummary(pupil: $0.subject.rawValue, status: $0.status) })
        case .erasureDeadlines:
            return .erasureDeadlines(
                try await vault.erasureDeadlines(by: requester).map {
                    ErasureDeadlineSummary(
                        subject: $0.subject.rawValue, kind: $0.kind.rawValue, scope: $0.scope.rawValue, fields: $0.fields.map(\.rawValue),
                        reason: $0.reason, due: $0.due.ISO8601Format(), legalHold: $0.legalHold)
                })
        case .destructionRegister:
            return .destructionRegister(
                try await vault.destructionRegister(by: requester).map {
                    DestructionEntrySummary(
                        subject: $0.subject.rawValue, kind: $0.kind.rawValue, scope: $0.scope, categories: $0.categories, method: $0.method,
                        reason: $0.reason, requestedBy: $0.requestedBy, destroyedAt: $0.destroyedAt.ISO8601Format(),
                        keepUntil: $0.keepUntil.ISO8601Format())
                })
        }
    }

    // MARK: Import

    private static func importPupils(
        _ rows: [ImportedPupil], caller: DoorCaller, requester: Requester, vault: Vault
    ) async throws(VaultError) -> RecordsDoorResponse {
        guard caller.organisationKind == "school", let school = caller.organisationID, let region = caller.region else {
            throw VaultError(.policyDenied, reason: "pupils are imported by a school")
        }
        let entries = rows.map { row in
            var pupil: [FieldName: PersonalValue] = [
                .surname: PersonalValue(row.surname), .firstName: PersonalValue(row.firstName),
                .birthDate: PersonalValue(row.birthDate), .grade: PersonalValue(row.grade),
            ]
            if let patronymic = row.patronymic { pupil[.patronymic] = PersonalValue(patronymic) }
            if let snils = row.snils { pupil[.snils] = PersonalValue(snils) }
            if let schoolClass = row.schoolClass { pupil[.schoolClass] = PersonalValue(schoolClass) }
            return PupilBatchEntry(
                row: row.row, pupil: pupil,
                guardian: [
                    .name: PersonalValue(row.guardianName), .relation: PersonalValue(row.guardianRelation),
                    .phone: PersonalValue(row.guardianPhone),
                ],
                guardianIsParent: row.guardianRelation != "guardian",
                consent: PaperConsentReference(
                    number: row.consentNumber, signedOn: row.consentSignedOn, otherPurposes: row.consentPurposes))
        }
        switch try await vault.registerPupils(entries, school: school, region: region, by: requester) {
        case .registered(let tokens):
            return .imported(tokens: tokens.map(\.rawValue))
        case .refused(let issues):
            return .importRefused(issues.map(importIssue))
        }
    }

    /// A vault row problem as the import file's author reads it: the column of the file, a code, a
    /// sentence.
    static func importIssue(_ issue: PupilBatchIssue) -> ImportIssue {
        let column: String? = switch (issue.part, issue.field) {
        case ("guardian", "name"?): ImportColumn.guardianSurname.rawValue
        case ("guardian", let field?): "guardian_" + field
        case (_, let field): field
        }
        let (code, message): (ImportIssue.Code, String) = switch (issue.code, issue.field) {
        case (.invalidConsent, "consent_purposes"?):
            (.invalidConsent, "A purpose is not one the registry knows, is named twice, or is enrolment (always covered).")
        case (.duplicateSubject, _): (.duplicatePupil, "A pupil with this SNILS, or the same surname, first name and birth date, is registered at the school.")
        case (.missingValue, _): (.required, "A value is required.")
        case (.invalidConsent, _): (.invalidConsent, "The consent cannot be valid as written (the date, or the pupil's age).")
        case (.invalidValue, "snils"?): (.invalidSnils, "Not an 11-digit SNILS with a valid checksum.")
        case (.invalidValue, "birth_date"?), (.invalidValue, "consent_signed_on"?): (.invalidDate, "Not a valid past date.")
        case (.invalidValue, "grade"?): (.invalidGrade, "Not a grade 1 to 11.")
        case (.invalidValue, "phone"?): (.invalidPhone, "Not a phone number (10 to 15 digits).")
        default: (.invalidValue, "The registry does not accept this value.")
        }
        return ImportIssue(row: issue.row, column: column, code: code, message: message)
    }

    // MARK: Helpers

    private static func subject(_ text: String) throws(VaultError) -> SubjectToken {
        guard let token = SubjectToken(text) else { throw VaultError(.unknownSubject) }
        return token
    }

    private static func consentToken(_ text: String) throws(VaultError) -> ConsentToken {
        guard let token = ConsentToken(text) else { throw VaultError(.unknownConsent) }
        return token
    }

    private static func today() -> String {
        let parts = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    private static func summary(_ request: SubjectAccessRequest, today: String) -> AccessRequestSummary {
        let status = request.status == .answered ? "answered" : (request.legalDeadline < today ? "overdue" : "open")
        return AccessRequestSummary(
            request: request.reference.rawValue, pupil: request.subject.rawValue, receivedOn: request.receivedOn,
            deadline: request.legalDeadline, status: status, requesterKind: request.requesterKind.rawValue,
            school: request.school)
    }
}
