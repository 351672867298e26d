// JSON request bodies: the gateway's one decoding helper (JSONBody.decode: media type, size
// bound, JSONDecoder) into the request body types of the HTTP targets, and the checks
// that turn a body into a request (an event's details, an incident report).
import Assessment
@testable import AccountsHTTP
@testable import AssessmentHTTP
import Dispatch
import Foundation
import FuzzSupport
import Gateway
import HTTPTypes
import Hummingbird
@testable import IncidentsHTTP
import NIOCore
@testable import TrialsHTTP
@testable import VaultHTTP

/// Decodes `bytes` as each body type, as a route does (limit 64 KiB).
func decodeAll(_ bytes: [UInt8]) async {
    func request() -> Request {
        let head = HTTPRequest(
            method: .post, scheme: "https", authority: "fuzz", path: "/", headerFields: [.contentType: "application/json"])
        return Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: bytes)))
    }
    let limit = 64 * 1024
    _ = try? await JSONBody.decode(PupilRoutes.RegistrationBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(PupilRoutes.SearchBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(PupilRoutes.CorrectionBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(ModuleRoutes.ReadBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(TransferBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(CreateStaffBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(ConsentBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(SessionRoutes.LoginBody.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(AssignmentRequest.self, from: request(), limit: limit)
    _ = try? await JSONBody.decode(Answer.self, from: request(), limit: limit)
    _ = try? (try? await JSONBody.decode(EventBody.self, from: request(), limit: limit))?.details()
    _ = try? await JSONBody.decode(EnrolBody.self, from: request(), limit: limit)
    _ = try? (try? await JSONBody.decode(IncidentReportBody.self, from: request(), limit: limit))?.report()
}

/// Waits for one input's decoding (libFuzzer's callback is synchronous).
final class Done: @unchecked Sendable {
    let semaphore = DispatchSemaphore(value: 0)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    let done = Done()
    Task {
        await decodeAll(bytes)
        done.semaphore.signal()
    }
    done.semaphore.wait()
    return 0
}

runFuzzer(fuzzOne)
