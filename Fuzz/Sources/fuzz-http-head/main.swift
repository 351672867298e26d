// The HTTP/1.1 request head (and what follows it) as a gateway connection reads it after TLS:
// NIO's HTTP decoder with the listener's bounds, Hummingbird's codec, the gateway's response
// headers, request limits and connection persistence handlers (Gateway.http1Configuration, as
// BiletTLSChannel sets it up), driven through an EmbeddedChannel.
import FuzzSupport
@testable import Gateway
import HummingbirdCore
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypesHTTP1
import TLS

let http1 = HTTP1Channel(
    responder: { _, _, _ in }, configuration: Gateway.http1Configuration(limits: ListenerLimits()))
let logger = Logger(label: "fuzz-http-head", factory: { _ in SwiftLogNoOpLogHandler() })

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let channel = EmbeddedChannel()
    do {
        _ = try http1.setup(channel: channel, logger: logger).wait()
        let operations = channel.pipeline.syncOperations
        let codec = try operations.handler(type: HTTP1ToHTTPServerCodec.self)
        try operations.addHandler(ConnectionPersistenceHandler(), position: .before(codec))
    } catch {
        fatalError("setting up the pipeline failed: \(error)")
    }
    // the first byte chooses where the rest is split into two reads, so a head may arrive in parts
    let input = fuzzBytes(data, size)
    let bytes = input.dropFirst()
    let split = bytes.startIndex + min(bytes.count, Int(input.first ?? 0) * 4)
    for part in [bytes[..<split], bytes[split...]] where !part.isEmpty {
        do { try channel.writeInbound(ByteBuffer(bytes: part)) } catch { break }
    }
    channel.embeddedEventLoop.advanceTime(by: .seconds(61))
    _ = try? channel.finish()
    return 0
}

runFuzzer(fuzzOne)
