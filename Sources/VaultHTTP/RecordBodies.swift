import Foundation
import PupilImport
import VaultDoor

// The JSON bodies of ``RecordRoutes``, with the contract's snake_case names.

/// `POST /v1/pupils/{token}/transfer`.
struct TransferBody: Decodable {
    let toSchool: String

    enum CodingKeys: String, CodingKey {
        case toSchool = "to_school"
    }
}

/// `POST /v1/pupils/{token}/access-requests`.
struct AccessRequestBody: Decodable {
    let receivedOn: String
    let requesterKind: String

    enum CodingKeys: String, CodingKey {
        case receivedOn = "received_on"
        case requesterKind = "requester_kind"
    }
}

struct ConsentList: Encodable {
    let consents: [ConsentItem]
}

struct ConsentItem: Encodable {
    let consent: String
    let status: String
    let signedOn: String
    let scope: String
    let scan: Bool

    init(_ summary: ConsentSummary) {
        consent = summary.consent
        status = summary.status
        signedOn = summary.signedOn
        scope = summary.scope
        scan = summary.scan
    }

    enum CodingKeys: String, CodingKey {
        case consent, status, scope, scan
        case signedOn = "signed_on"
    }
}

struct Withdrawal: Encodable {
    /// When the data the consent alone covered must be destroyed at the latest (ISO 8601); null
    /// when other consents still cover it.
    let destructionDeadline: String?

    enum CodingKeys: String, CodingKey {
        case destructionDeadline = "destruction_deadline"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(destructionDeadline, forKey: .destructionDeadline)
    }
}

struct TransferList: Encodable {
    let transfers: [TransferItem]
}

struct TransferItem: Encodable {
    let transfer: String
    let pupil: String
    let fromSchool: String
    let requestedAt: String

    init(_ summary: TransferSummary) {
        transfer = summary.transfer
        pupil = summary.pupil
        fromSchool = summary.fromSchool
        requestedAt = summary.requestedAt
    }

    enum CodingKeys: String, CodingKey {
        case transfer, pupil
        case fromSchool = "from_school"
        case requestedAt = "requested_at"
    }
}

struct AccessRequestList: Encodable {
    let requests: [AccessRequestItem]
}

/// One subject-access request; on registration with `links`: where the per-pupil access report
/// (audit API) and the data held (card read citing the request) are.
struct AccessRequestItem: Encodable {
    let request: String
    let pupil: String
    let receivedOn: String
    let deadline: String
    let status: String
    let requesterKind: String
    /// The pupil's school, in register listings.
    let school: String?
    let links: Links?

    struct Links: Encodable {
        let report: String
        let data: String
    }

    init(_ summary: AccessRequestSummary, links: Bool) {
        request = summary.request
        pupil = summary.pupil
        receivedOn = summary.receivedOn
        deadline = summary.deadline
        status = summary.status
        requesterKind = summary.requesterKind
        school = summary.school
        self.links = links
            ? Links(
                report: "/v1/audit/report?subject=\(summary.pupil)",
                data: "/v1/pupils/\(summary.pupil)?purpose=parent_request&request=\(summary.request)")
            : nil
    }

    enum CodingKeys: String, CodingKey {
        case request, pupil, deadline, status, school, links
        case receivedOn = "received_on"
        case requesterKind = "requester_kind"
    }
}

struct Imported: Encodable {
    let imported: Int
    let tokens: [String]
}

/// The import's `422` problem document: RFC 9457 members and the rows' errors.
struct ImportProblem: Encodable {
    let code: String
    let status: Int
    let title: String
    let type: String
    let errors: [ImportError]
    let errorCount: Int

    enum CodingKeys: String, CodingKey {
        case code, status, title, type, errors
        case errorCount = "error_count"
    }
}

/// One problem of an import file: `{row, column, code, message}`.
struct ImportError: Encodable {
    let row: Int
    let column: String?
    let code: String
    let message: String

    init(_ issue: ImportIssue) {
        row = issue.row
        column = issue.column
        code = issue.code.rawValue
        message = issue.message
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(row, forKey: .row)
        try container.encode(column, forKey: .column)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
    }

    enum CodingKeys: String, CodingKey {
        case row, column, code, message
    }
}

/// The answer of `GET /v1/erasure/deadlines`.
struct ErasureDeadlineList: Encodable {
    let deadlines: [ErasureDeadlineItem]
    /// How many are past due.
    let overdue: Int
}

/// One pending erasure deadline, `overdue` when its date has passed (a legal hold may be why).
struct ErasureDeadlineItem: Encodable {
    let subject: String
    let kind: String
    let scope: String
    let fields: [String]
    let reason: String
    let due: String
    let overdue: Bool
    let legalHold: Bool

    init(_ summary: ErasureDeadlineSummary, now: Date) {
        subject = summary.subject
        kind = summary.kind
        scope = summary.scope
        fields = summary.fields
        reason = summary.reason
        due = summary.due
        overdue = (try? Date(summary.due, strategy: .iso8601)).map { $0 < now } ?? false
        legalHold = summary.legalHold
    }

    enum CodingKeys: String, CodingKey {
        case subject, kind, scope, fields, reason, due, overdue
        case legalHold = "legal_hold"
    }
}

/// The answer of `GET /v1/erasure/register`.
struct DestructionRegisterList: Encodable {
    let entries: [DestructionRegisterItem]
}

/// One entry of the destruction register.
struct DestructionRegisterItem: Encodable {
    let entry: DestructionEntrySummary

    init(_ entry: DestructionEntrySummary) {
        self.entry = entry
    }

    enum CodingKeys: String, CodingKey {
        case subject, kind, scope, categories, method, reason
        case requestedBy = "requested_by"
        case destroyedAt = "destroyed_at"
        case keepUntil = "keep_until"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry.subject, forKey: .subject)
        try container.encode(entry.kind, forKey: .kind)
        try container.encode(entry.scope, forKey: .scope)
        try container.encode(entry.categories, forKey: .categories)
        try container.encode(entry.method, forKey: .method)
        try container.encode(entry.reason, forKey: .reason)
        try container.encode(entry.requestedBy, forKey: .requestedBy)
        try container.encode(entry.destroyedAt, forKey: .destroyedAt)
        try container.encode(entry.keepUntil, forKey: .keepUntil)
    }
}
