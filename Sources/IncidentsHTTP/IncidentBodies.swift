import Foundation
import Incidents

/// `POST /v1/incidents`. Every field is optional here so a missing one is answered
/// `400 invalid-incident` naming it, not as a malformed body.
struct IncidentReportBody: Decodable {
    struct Scope: Decodable {
        let from: String?
        let until: String?
        let actor: String?
        let certificate: String?
        let organisation: String?
    }

    let discoveredAt: String?
    let kind: String?
    let description: String?
    let scope: Scope?

    enum CodingKeys: String, CodingKey {
        case kind, description, scope
        case discoveredAt = "discovered_at"
    }

    /// The report, or `invalid-incident` naming the first missing or malformed field.
    func report() throws(IncidentsError) -> IncidentReport {
        let discovered = try IncidentTime.parse(discoveredAt, "discovered_at")
        guard let kind else { throw IncidentsError(.invalidArgument, "kind is missing") }
        guard let parsedKind = IncidentKind(rawValue: kind) else { throw IncidentsError(.invalidArgument, "kind is not an incident kind") }
        guard let description else { throw IncidentsError(.invalidArgument, "description is missing") }
        guard let scope else { throw IncidentsError(.invalidArgument, "scope is missing") }
        return IncidentReport(
            discoveredAt: discovered, kind: parsedKind, description: description,
            scope: IncidentScope(
                from: try IncidentTime.parse(scope.from, "scope.from"), until: try IncidentTime.parse(scope.until, "scope.until"),
                actor: scope.actor, certificate: scope.certificate, organisation: scope.organisation))
    }
}

/// `PATCH /v1/incidents/{id}`.
struct IncidentUpdateBody: Decodable {
    let status: String?
    let description: String?
    let firstNoticeSent: Bool?
    let resultsSent: Bool?

    enum CodingKeys: String, CodingKey {
        case status, description
        case firstNoticeSent = "first_notice_sent"
        case resultsSent = "results_sent"
    }

    func update() throws(IncidentsError) -> IncidentUpdate {
        var parsed: IncidentStatus?
        if let status {
            guard let value = IncidentStatus(rawValue: status) else { throw IncidentsError(.invalidArgument, "status is not an incident status") }
            parsed = value
        }
        return IncidentUpdate(
            status: parsed, description: description, firstNoticeSent: firstNoticeSent == true, resultsSent: resultsSent == true)
    }
}

/// An incident as the routes answer it; the affected subjects and organisations only where one
/// incident is read.
struct IncidentBody: Encodable {
    struct Deadline: Encodable {
        let dueAt: String
        let sentAt: String?
        let state: String

        enum CodingKeys: String, CodingKey {
            case state
            case dueAt = "due_at"
            case sentAt = "sent_at"
        }

        init(_ deadline: IncidentDeadline) {
            dueAt = IncidentTime.format(deadline.dueAt)
            sentAt = deadline.sentAt.map(IncidentTime.format)
            state = deadline.state.rawValue
        }
    }

    struct Scope: Encodable {
        let from: String
        let until: String
        let actor: String?
        let certificate: String?
        let organisation: String?
    }

    struct Affected: Encodable {
        let subjectCount: Int
        let organisationCount: Int
        let subjects: [String]
        let organisations: [String]

        enum CodingKeys: String, CodingKey {
            case subjects, organisations
            case subjectCount = "subject_count"
            case organisationCount = "organisation_count"
        }
    }

    let id: String
    let kind: String
    let status: String
    let description: String
    let discoveredAt: String
    let scope: Scope
    let firstNotice: Deadline
    let results: Deadline
    let recordedBy: String
    let createdAt: String
    let updatedAt: String
    let affected: Affected?

    enum CodingKeys: String, CodingKey {
        case id, kind, status, description, scope, results, affected
        case discoveredAt = "discovered_at"
        case firstNotice = "first_notice"
        case recordedBy = "recorded_by"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ record: IncidentRecord, _ impact: IncidentImpact? = nil) {
        id = record.id
        kind = record.kind.rawValue
        status = record.status.rawValue
        description = record.description
        discoveredAt = IncidentTime.format(record.discoveredAt)
        scope = Scope(
            from: IncidentTime.format(record.scope.from), until: IncidentTime.format(record.scope.until), actor: record.scope.actor,
            certificate: record.scope.certificate, organisation: record.scope.organisation)
        firstNotice = Deadline(record.firstNotice)
        results = Deadline(record.results)
        recordedBy = record.recordedBy
        createdAt = IncidentTime.format(record.createdAt)
        updatedAt = IncidentTime.format(record.updatedAt)
        affected = impact.map {
            Affected(
                subjectCount: $0.subjects.count, organisationCount: $0.organisations.count, subjects: $0.subjects,
                organisations: $0.organisations)
        }
    }
}

/// `GET /v1/incidents`.
struct IncidentListBody: Encodable {
    let incidents: [IncidentBody]
}

/// `GET /v1/incidents/{id}/notices`.
struct IncidentNoticesBody: Encodable {
    struct Notice: Encodable {
        let dueAt: String
        let state: String
        let text: String

        enum CodingKeys: String, CodingKey {
            case state, text
            case dueAt = "due_at"
        }
    }

    let firstNotice: Notice
    let results: Notice

    enum CodingKeys: String, CodingKey {
        case results
        case firstNotice = "first_notice"
    }

    init(_ record: IncidentRecord, _ notices: IncidentNotices) {
        firstNotice = Notice(
            dueAt: IncidentTime.format(record.firstNotice.dueAt), state: record.firstNotice.state.rawValue, text: notices.firstNotice)
        results = Notice(dueAt: IncidentTime.format(record.results.dueAt), state: record.results.state.rawValue, text: notices.results)
    }
}
