import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import NIOCore
import PupilImport
import VaultDoor

/// A school's records: consents and scans, withdrawals, transfers, subject-access requests and
/// bulk import (`/v1/pupils/{token}/consents…`, `/v1/pupils/{token}/transfer`,
/// `/v1/transfers…`, `/v1/pupils/{token}/access-requests`, `/v1/access-requests…`,
/// `/v1/pupils/import`, `/v1/pupils/lacking-consent`), and the compliance officer's oversight of
/// erasure (`/v1/erasure/deadlines`, `/v1/erasure/register`: the vault's pending destruction
/// deadlines and its destruction register, policy rule `compliance.erasure-register.oversee`).
///
/// Every route needs a verified staff session (``DoorCalls/caller(for:)``, `401
/// session-required`) and asks the vault as that caller; the vault decides, checks and audits.
/// Refusals about a pupil another school holds look exactly like those about an unknown token
/// (`404 pupil-not-found`). State-changing routes refuse a body type they do not expect (`415`).
///
/// For a subject-access request (152-FZ art. 14) the per-pupil access report is the audit API's
/// `GET /v1/audit/report?subject=<pupil token>` (compliance officer), and the data held is the card
/// read `GET /v1/pupils/<token>?purpose=parent_request&request=<sar_…>`; the registration's answer
/// links both.
enum RecordRoutes {
    /// The largest consent scan accepted over HTTP (the vault accepts up to 10 MiB).
    static let maximumScanBytes = 8 * 1024 * 1024
    /// The largest JSON body of these routes.
    static let maximumJSONBytes = 4 * 1024

    static func add(to root: Router<BiletRequestContext>, door: VaultDoorClient, sessions: StaffSessions) {
        let router = root.group().add(middleware: StaffSessionMiddleware(sessions: sessions))
        router.get("/v1/pupils/:token/consents") { _, context in
            let token = try context.parameters.require("token")
            guard case .consents(let consents) = try await call(door, .consents(of: token), context) else { throw unexpected }
            return JSONBody.response(.ok, ConsentList(consents: consents.map(ConsentItem.init)))
        }
        router.put("/v1/pupils/:token/consents/:consent/scan") { request, context in
            let token = try context.parameters.require("token")
            let consent = try context.parameters.require("consent")
            let declared = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
            guard let declared, ["application/pdf", "image/jpeg", "image/png"].contains(declared) else {
                throw Problem(.unsupportedMediaType, code: "unsupported-media-type", title: "The body must be application/pdf, image/jpeg or image/png.")
            }
            let body = try await collect(request, limit: maximumScanBytes)
            let content = Data(body.readableBytesView).base64EncodedString()
            guard case .scanAttached = try await call(
                door, .attachScan(pupil: token, consent: consent, mediaType: declared, content: content), context)
            else { throw unexpected }
            return Response(status: .noContent, headers: [.cacheControl: "no-store"])
        }
        router.get("/v1/pupils/:token/consents/:consent/scan") { _, context in
            let token = try context.parameters.require("token")
            let consent = try context.parameters.require("consent")
            guard case .scan(let mediaType, let content) = try await call(door, .scan(pupil: token, consent: consent), context),
                  let bytes = Data(base64Encoded: content)
            else { throw unexpected }
            var buffer = ByteBuffer()
            buffer.writeBytes(bytes)
            return Response(
                status: .ok,
                headers: [
                    .contentType: mediaType, .cacheControl: "no-store", .contentDisposition: "attachment",
                    HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                ],
                body: .init(byteBuffer: buffer))
        }
        router.post("/v1/pupils/:token/consents/:consent/withdrawal") { request, context in
            try refuseUnexpectedBody(request)
            let token = try context.parameters.require("token")
            let consent = try context.parameters.require("consent")
            guard case .withdrawn(let deadline) = try await call(door, .withdraw(pupil: token, consent: consent), context) else {
                throw unexpected
            }
            return JSONBody.response(.ok, Withdrawal(destructionDeadline: deadline))
        }
        router.post("/v1/pupils/:token/transfer") { request, context in
            let body = try await JSONBody.decode(TransferBody.self, from: request, limit: maximumJSONBytes)
            let token = try context.parameters.require("token")
            guard case .transferRequested(let transfer) = try await call(door, .transfer(pupil: token, toSchool: body.toSchool), context)
            else { throw unexpected }
            return JSONBody.response(.accepted, ["transfer": transfer])
        }
        router.get("/v1/transfers") { _, context in
            guard case .transfers(let transfers) = try await call(door, .incomingTransfers, context) else { throw unexpected }
            return JSONBody.response(.ok, TransferList(transfers: transfers.map(TransferItem.init)))
        }
        router.post("/v1/transfers/:transfer/accept") { request, context in
            try refuseUnexpectedBody(request)
            let transfer = try context.parameters.require("transfer")
            guard case .transferAccepted(let pupil) = try await call(door, .acceptTransfer(transfer: transfer), context) else {
                throw unexpected
            }
            return JSONBody.response(.ok, ["token": pupil])
        }
        router.post("/v1/pupils/:token/access-requests") { request, context in
            let body = try await JSONBody.decode(AccessRequestBody.self, from: request, limit: maximumJSONBytes)
            let token = try context.parameters.require("token")
            guard case .accessRequest(let registered) = try await call(
                door, .registerAccessRequest(pupil: token, receivedOn: body.receivedOn, requesterKind: body.requesterKind), context)
            else { throw unexpected }
            return JSONBody.response(.created, AccessRequestItem(registered, links: true))
        }
        router.get("/v1/access-requests") { request, context in
            let status = request.uri.queryParameters["status"].map(String.init) ?? "open"
            guard ["open", "overdue"].contains(status) else {
                throw Problem(.badRequest, code: "invalid-request", title: "status is open or overdue.")
            }
            guard case .accessRequests(let requests) = try await call(door, .accessRequests(status: status), context) else {
                throw unexpected
            }
            return JSONBody.response(.ok, AccessRequestList(requests: requests.map { AccessRequestItem($0, links: false) }))
        }
        router.post("/v1/access-requests/:request/answer") { request, context in
            try refuseUnexpectedBody(request)
            let reference = try context.parameters.require("request")
            guard case .accessRequest(let answered) = try await call(door, .answerAccessRequest(request: reference), context) else {
                throw unexpected
            }
            return JSONBody.response(.ok, AccessRequestItem(answered, links: false))
        }
        router.post("/v1/pupils/import") { request, context in
            try await importPupils(request, context, door: door)
        }
        router.get("/v1/pupils/lacking-consent") { request, context in
            guard let purpose = request.uri.queryParameters["purpose"].map(String.init), !purpose.isEmpty else {
                throw Problem(.badRequest, code: "purpose-required", title: "Name the purpose the consent is for (?purpose=self_service).")
            }
            guard case .consentGaps(let gaps) = try await call(door, .lackingConsent(purpose: purpose), context) else { throw unexpected }
            return JSONBody.response(.ok, ConsentGapList(purpose: purpose, pupils: gaps.map { .init(token: $0.pupil, status: $0.status) }))
        }
        router.get("/v1/erasure/deadlines") { _, context in
            guard case .erasureDeadlines(let deadlines) = try await call(door, .erasureDeadlines, context) else { throw unexpected }
            let now = Date()
            let items = deadlines.map { ErasureDeadlineItem($0, now: now) }
            return JSONBody.response(.ok, ErasureDeadlineList(deadlines: items, overdue: items.filter(\.overdue).count))
        }
        router.get("/v1/erasure/register") { _, context in
            guard case .destructionRegister(let entries) = try await call(door, .destructionRegister, context) else { throw unexpected }
            return JSONBody.response(.ok, DestructionRegisterList(entries: entries.map(DestructionRegisterItem.init)))
        }
    }

    /// The answer of `GET /v1/pupils/lacking-consent`.
    struct ConsentGapList: Encodable {
        struct Pupil: Encodable {
            let token: String
            let status: String
        }
        let purpose: String
        let pupils: [Pupil]
    }

    // MARK: Import

    /// Checks the whole file in the gateway (``PupilImportFile``), then has the vault register every
    /// row in one transaction (``PupilImportCall``). `422` with `errors` (nothing stored) or `200 {imported, tokens}`.
    static func importPupils(_ request: Request, _ context: BiletRequestContext, door: VaultDoorClient) async throws -> Response {
        let caller = try DoorCalls.caller(for: context)
        try JSONBody.requireMediaType(request, "text/csv")
        let body = try await collect(request, limit: PupilImportFile.maximumBytes)
        switch try await PupilImportCall.run(Array(body.readableBytesView), caller: caller, door: door) {
        case .imported(let tokens):
            return JSONBody.response(.ok, Imported(imported: tokens.count, tokens: tokens))
        case .refused(let issues, let total):
            return importRefused(issues, total: total)
        }
    }

    /// `422 import-invalid`, problem+json with the rows' `errors` and their total `error_count`.
    static func importRefused(_ issues: [ImportIssue], total: Int) -> Response {
        let document = ImportProblem(
            code: "import-invalid", status: 422, title: "The file was not imported; nothing was stored. Fix the rows listed.",
            type: "about:blank", errors: issues.map(ImportError.init), errorCount: total)
        var response = JSONBody.response(.unprocessableContent, document)
        response.headers[.contentType] = "application/problem+json"
        return response
    }

    // MARK: Plumbing

    static let unexpected = Problem.internalError

    private static func call(_ door: VaultDoorClient, _ request: RecordsDoorRequest, _ context: BiletRequestContext) async throws -> RecordsDoorResponse {
        let caller = try DoorCalls.caller(for: context)
        guard case .records(let response) = try await DoorCalls.call(door, .records(request, caller: caller)) else { throw unexpected }
        return response
    }

    private static func collect(_ request: Request, limit: Int) async throws(Problem) -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw Problem.bodyTooLarge
        }
    }

    /// A POST without a body of its own: a declared body of any type but JSON is refused (`415`),
    /// so no form or text a browser sends across sites reaches it.
    private static func refuseUnexpectedBody(_ request: Request) throws(Problem) {
        guard request.headers[.contentType] != nil else { return }
        try JSONBody.requireMediaType(request, "application/json")
    }
}
