public import Accounts
public import Audit
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes
import NIOCore
public import Policy
public import PostgreSQL

/// The compliance officers' audit tools over HTTP, under policy: the same ``AuditQueryService``
/// the `bilet audit` command uses, behind a staff session.
///
/// Routes (all `GET`, all under `/v1/audit/`): `entries` (filters `subject`, `actor`, `type`,
/// `decision`, `from`, `to`, `limit`), `report?subject=`, `checkpoint`,
/// `proofs/inclusion?entry=N`, `proofs/consistency?from=A&to=B`, `gaps?from=T1&to=T2`,
/// `export?format=jsonl|syslog` (same filters as `entries`).
///
/// Each request needs a live staff session bound to the connection's certificate (`401
/// session-required` otherwise) and a permit from the policy engine for the session's principal
/// (action `read`, or `verify` for proofs and gaps; resource `audit_log`; purpose
/// `audit_review`). A denial is audited (`policy.decided`, decision `deny`) and answered `403
/// forbidden`; a permitted read is audited by the service (`audit.read`, with the officer, the
/// tool, the filter names and the policy version), and if that record cannot be written nothing is
/// returned (`503`).
public enum AuditRoutes {
    /// The purpose every request of these routes is made for.
    public static let purpose = "audit_review"

    /// What the routes need: the session store, the policy engine, the pools reading the log
    /// (`bilet_audit`) and recording the reads (an application role, `bilet_gateway`), and the
    /// host name written into syslog exports.
    public struct Dependencies: Sendable {
        public let sessions: StaffSessions
        public let policies: PolicyStore
        public let reader: PostgresConnectionPool
        public let recorder: PostgresConnectionPool
        public let hostname: String
        public let log: AuditLog

        /// Collects the dependencies.
        public init(
            sessions: StaffSessions, policies: PolicyStore, reader: PostgresConnectionPool, recorder: PostgresConnectionPool,
            hostname: String, log: AuditLog = AuditLog()
        ) {
            self.sessions = sessions
            self.policies = policies
            self.reader = reader
            self.recorder = recorder
            self.hostname = hostname
            self.log = log
        }
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) {
        let group = router.group("/v1/audit").add(middleware: StaffSessionMiddleware(sessions: dependencies.sessions))
        func route(_ path: RouterPath, _ action: String, _ body: @escaping @Sendable (AuditQueryService, Request) async throws -> Response) {
            group.get(path) { request, context -> Response in
                try await Self.handle(request, context, action: action, dependencies, body)
            }
        }
        route("entries", "read") { service, request in
            let query = try Self.query(request)
            let entries = try await service.query(query)
            return JSONBody.response(.ok, jsonText: #"{"entries":["# + entries.map(\.jsonLine).joined(separator: ",") + "]}")
        }
        route("report", "read") { service, request in
            guard let subject = request.uri.queryParameters["subject"].map(String.init) else {
                throw badQuery("subject")
            }
            let report = try await service.report(subject: subject)
            let readers = report.readers.map(JSONBody.quoted).joined(separator: ",")
            return JSONBody.response(
                .ok,
                jsonText: #"{"entries":["# + report.entries.map(\.jsonLine).joined(separator: ",") + #"],"readers":["# + readers
                    + #"],"subject":"# + JSONBody.quoted(report.subject) + "}")
        }
        route("checkpoint", "read") { service, _ in
            guard let checkpoint = try await service.checkpoint() else {
                throw Problem(.notFound, code: "not-found", title: "No checkpoint is signed yet.")
            }
            return JSONBody.response(.ok, jsonText: #"{"checkpoint":"# + JSONBody.quoted(checkpoint.serialized) + "}")
        }
        route("proofs/inclusion", "verify") { service, request in
            guard let entry = request.uri.queryParameters["entry"].flatMap({ Self.number($0) }) else { throw badQuery("entry") }
            let checkpoint = try request.uri.queryParameters["checkpoint"].map { text throws in
                guard let number = Self.number(text) else { throw badQuery("checkpoint") }
                return number
            }
            return JSONBody.response(.ok, jsonText: try await service.prove(leafIndex: entry, sequence: checkpoint).json)
        }
        route("proofs/consistency", "verify") { service, request in
            guard let from = request.uri.queryParameters["from"].flatMap({ Self.number($0) }) else { throw badQuery("from") }
            let to = try request.uri.queryParameters["to"].map { text throws in
                guard let number = Self.number(text) else { throw badQuery("to") }
                return number
            }
            return JSONBody.response(.ok, jsonText: try await service.consistency(from: from, to: to).json)
        }
        route("gaps", "verify") { service, request in
            guard let from = request.uri.queryParameters["from"].flatMap({ AuditTime.parse(String($0)) }) else { throw badQuery("from") }
            guard let to = request.uri.queryParameters["to"].flatMap({ AuditTime.parse(String($0)) }) else { throw badQuery("to") }
            return JSONBody.response(.ok, jsonText: GapsBody(try await service.gaps(from: from, to: to)).json)
        }
        route("export", "read") { service, request in
            let formatText = request.uri.queryParameters["format"].map(String.init) ?? "jsonl"
            guard let format = AuditQueryService.ExportFormat(rawValue: formatText) else { throw badQuery("format") }
            let query = try Self.query(request)
            var lines: [String] = []
            try await service.export(query, format: format, hostname: dependencies.hostname) { lines.append($0) }
            var buffer = ByteBuffer()
            for line in lines { buffer.writeString(line + "\n") }
            let type = format == .jsonLines ? "application/jsonl" : "text/plain; charset=utf-8"
            return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: buffer))
        }
    }

    /// The answer to a query parameter that is missing or malformed (its name only, never its value).
    static func badQuery(_ parameter: String) -> Problem {
        Problem(.badRequest, code: "invalid-query", title: "Query parameter \(parameter) is missing or malformed.")
    }

    /// A leaf index or checkpoint sequence number: `0...Int64.max` (what the log can hold), or `nil`.
    static func number(_ text: Substring) -> UInt64? {
        UInt64(text).flatMap { $0 <= UInt64(Int64.max) ? $0 : nil }
    }

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func query(_ request: Request) throws -> AuditQuery {
        let parameters = request.uri.queryParameters
        func text(_ name: String) -> String? { parameters[Substring(name)].map(String.init) }
        func date(_ name: String) throws -> Date? {
            guard let value = text(name) else { return nil }
            guard let date = AuditTime.parse(value) else { throw badQuery(name) }
            return date
        }
        // A type is a catalogue code (`auth.succeeded`), a decision one of three words: anything else
        // could match nothing, and is the client's mistake.
        let type = text("type")
        if let type {
            guard (1...128).contains(type.utf8.count), type.utf8.first.map(Self.isLowerAlphanumeric) == true,
                type.utf8.allSatisfy({ Self.isLowerAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
            else { throw badQuery("type") }
        }
        let decision = text("decision")
        if let decision, !["permit", "deny", "error"].contains(decision) { throw badQuery("decision") }
        var limit = 1000
        if let value = text("limit") {
            guard let number = Int(value), (1...10_000).contains(number) else { throw badQuery("limit") }
            limit = number
        }
        return AuditQuery(
            subject: text("subject"), actor: text("actor"), type: type, decision: decision, from: try date("from"),
            to: try date("to"), limit: limit)
    }

    /// Checks the session and the policy, then runs `body`; every refusal and error is thrown and
    /// renders its own answer (``Problem``, ``AuditError``).
    private static func handle(
        _ request: Request, _ context: BiletRequestContext, action: String, _ dependencies: Dependencies,
        _ body: @Sendable (AuditQueryService, Request) async throws -> Response
    ) async throws -> Response {
        let service = try await authorize(try context.requireStaff(), action: action, dependencies)
        return try await body(service, request)
    }

    /// The query service for `staff` once the policy permits `action` (`read`, or `verify` for
    /// proofs and gaps) on the audit log for ``purpose``: the one check every audit route and the
    /// compliance officer's pages make (``StaffSession/permit(_:on:purpose:policies:recordDenial:)``).
    /// A denial is audited (`policy.decided`, decision `deny`) before it is thrown; the service
    /// records each read it answers (`audit.read`).
    ///
    /// - Throws: ``Problem`` `403 forbidden` when the policy does not permit it, `503
    ///   audit-unavailable` when the denial cannot be recorded.
    public static func authorize(_ staff: StaffSession, action: String, _ dependencies: Dependencies) async throws -> AuditQueryService {
        guard
            let decision = try await staff.permit(
                action, on: Resource(type: "audit_log", id: "log"), purpose: Self.purpose, policies: dependencies.policies,
                recordDenial: { denial in
                    do {
                        try await dependencies.log.append(denial, using: dependencies.recorder)
                    } catch {
                        throw Problem.auditUnavailable
                    }
                })
        else { throw Problem.forbidden }
        return AuditQueryService(
            reader: dependencies.reader, recorder: dependencies.recorder, officer: staff.actor, purpose: Self.purpose,
            policyVersion: decision.policyVersion.digest, log: dependencies.log)
    }
}

/// The JSON answer of `GET /v1/audit/gaps`: the same verdict as `bilet audit gaps`. `complete`
/// is true only when nothing stands in the way; `verdict` is `complete`, `gaps` (records missing or
/// altered) or `pending` (not provable yet); `problems` names each; `proof` is the offline-checkable
/// ``GapProof`` of a complete window (null otherwise).
struct GapsBody: Encodable {
    struct Range: Encodable {
        let first: UInt64
        let last: UInt64
    }
    let from: String
    let to: String
    let eventCount: Int
    let leafRange: Range?
    let lowerBoundary: UInt64?
    let upperBoundary: UInt64
    let missingIndices: [UInt64]
    let pendingCount: Int
    let checkpoint: String?
    let problems: [String]
    let verdict: String
    let proof: GapProof?
    let complete: Bool

    init(_ report: GapReport) {
        from = AuditTime.format(report.from)
        to = AuditTime.format(report.to)
        eventCount = report.eventCount
        leafRange = report.leafRange.map { Range(first: $0.lowerBound, last: $0.upperBound) }
        lowerBoundary = report.lowerBoundary
        upperBoundary = report.upperBoundary
        missingIndices = report.missingIndices
        pendingCount = report.pendingCount
        checkpoint = report.checkpoint?.serialized
        problems = report.problems.map(\.description)
        verdict = report.verdict
        proof = report.proof
        complete = report.isComplete
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}
