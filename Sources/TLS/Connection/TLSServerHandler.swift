public import GnuTLS
import Identity
import Logging
public import NIOCore
import NIOTLS

/// The TLS server side of one connection: runs a GnuTLS session over the channel's bytes.
///
/// Sits first in the pipeline: ciphertext below, plaintext above. The handshake is driven by the
/// bytes that arrive; nothing blocks and no thread is started. The client certificate is checked
/// during the handshake (so a refused client gets an alert, not a session), and again after a
/// resumed handshake, whose ticket may predate a revocation or come from another listener.
///
/// States: `idle` (added, not active) → `handshaking` (timer running) → `active` → `closing` →
/// `closed`. A failed, refused or timed-out handshake goes straight to `closed`.
///
/// ``established`` completes with the peer once the client is accepted, or fails with
/// ``TLSConnectionError`` when the connection ends without that. Two user events are fired down
/// the pipeline at the same time: ``TLSHandshakeCompletedEvent``, with the peer, and NIO's
/// `TLSUserEvent.handshakeCompleted` with the ALPN protocol, which SwiftNIO's protocol negotiation
/// handler (HTTP/2 or HTTP/1.1) waits for.
public final class TLSServerHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case handshaking(timeout: Scheduled<Void>?)
        case active
        case closing
        case closed
    }

    private var state: State = .idle
    private let session: TLSServerSession
    private let verification: HandshakeVerification
    private let registry: ConnectionRegistry
    private let handshakeTimeout: TimeAmount
    private let logger: Logger
    private let establishedPromise: EventLoopPromise<PeerIdentity>
    private let refusalObserver: (any HandshakeRefusalObserver)?
    private let listenerName: String
    private var bufferedWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var flushRequestedBeforeActive = false
    private var unflushedPromises: [EventLoopPromise<Void>] = []
    private var receivedCloseNotify = false
    private var sentCloseNotify = false
    /// After a refusal's alert: the client's closing ends the connection.
    private var lingering = false
    /// Closes a lingering connection whose client does not close; cancelled when the channel goes.
    private var lingerTimer: Scheduled<Void>?
    /// The client closed its side while the connection was ending (before ``lingering`` was set).
    private var peerClosedWhileEnding = false
    /// Whether plaintext written since the last flush waits in the session to become one record.
    private var corked = false
    /// Closes the connection when the client's certificate chain expires (its earliest notAfter).
    private var expiry: Scheduled<Void>?

    /// Completes with the accepted peer, or fails when the connection ends before.
    public var established: EventLoopFuture<PeerIdentity> { self.establishedPromise.futureResult }

    init(
        session: TLSServerSession,
        verification: HandshakeVerification,
        registry: ConnectionRegistry,
        handshakeTimeout: TimeAmount,
        eventLoop: any EventLoop,
        logger: Logger,
        refusalObserver: (any HandshakeRefusalObserver)? = nil,
        listenerName: String = ""
    ) {
        self.refusalObserver = refusalObserver
        self.listenerName = listenerName
        self.session = session
        self.verification = verification
        self.registry = registry
        self.handshakeTimeout = handshakeTimeout
        self.establishedPromise = eventLoop.makePromise(of: PeerIdentity.self)
        self.logger = logger
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { self.startHandshake(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        self.lingerTimer?.cancel()
        self.lingerTimer = nil
        self.finish(context: context, failure: .closedDuringHandshake)
    }

    public func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        self.startHandshake(context: context)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if case .handshaking = self.state {
            self.logger.debug("tls handshake abandoned by the peer")
        }
        self.lingerTimer?.cancel()
        self.lingerTimer = nil
        self.finish(context: context, failure: .closedDuringHandshake)
        context.fireChannelInactive()
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard case .idle = self.state else { return }
        let timeout = context.eventLoop.assumeIsolated().scheduleTask(in: self.handshakeTimeout) {
            guard case .handshaking = self.state else { return }
            self.logger.debug("tls handshake timed out")
            self.refusalObserver?.handshakeFailed(listener: self.listenerName, failure: .timedOut)
            self.finish(context: context, failure: .handshakeTimedOut)
            context.close(promise: nil)
        }
        self.state = .handshaking(timeout: timeout)
    }

    /// Moves to `closed`, cancelling the timer and failing what waits for the handshake.
    private func finish(context: ChannelHandlerContext, failure: TLSConnectionError) {
        if case .handshaking(let timeout) = self.state { timeout?.cancel() }
        self.expiry?.cancel()
        self.expiry = nil
        self.state = .closed
        self.establishedPromise.fail(failure)
        let writes = self.bufferedWrites
        self.bufferedWrites = []
        for (_, promise) in writes { promise?.fail(ChannelError.ioOnClosedChannel) }
        let promises = self.unflushedPromises
        self.unflushedPromises = []
        for promise in promises { promise.fail(ChannelError.ioOnClosedChannel) }
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = Self.unwrapInboundIn(data)
        switch self.state {
        case .handshaking:
            buffer.withUnsafeReadableBytes { self.session.receive($0) }
            self.handshakeStep(context: context)
        case .active:
            buffer.withUnsafeReadableBytes { self.session.receive($0) }
            self.decodeAndDeliver(context: context)
        case .idle, .closing, .closed:
            break  // nothing more is read from a connection we are ending
        }
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is TLSCertificateRevokedEvent:
            guard case .active = self.state else { return }
            self.logger.notice("tls connection closed: client certificate revoked", metadata: ["tls.refusal": "revoked"])
            self.session.sendAlert(.certificateRevoked)
            self.finish(context: context, failure: .refused(.revoked))
            self.sendOutputThenClose(context: context, mode: .all, promise: nil)
        case ChannelEvent.inputClosed:
            switch self.state {
            case .idle, .handshaking:
                self.logger.debug("tls handshake truncated by the peer")
                self.finish(context: context, failure: .closedDuringHandshake)
                context.close(promise: nil)
            case .active:
                if self.sentCloseNotify {
                    context.close(promise: nil)
                } else {
                    context.fireUserInboundEventTriggered(event)
                }
            case .closed where self.lingering:
                context.close(promise: nil)  // the refused client read the alert and closed
            case .closed:
                self.peerClosedWhileEnding = true
            case .closing:
                break
            }
        case is ChannelShouldQuiesceEvent:
            switch self.state {
            case .idle, .handshaking:
                self.finish(context: context, failure: .closedDuringHandshake)
                context.close(promise: nil)
            case .active:
                context.fireUserInboundEventTriggered(event)
            case .closing, .closed:
                break
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func handshakeStep(context: ChannelHandlerContext) {
        switch self.session.handshake() {
        case .needsMoreData:
            self.writeOutput(context: context, promise: nil)
        case .failed(let error):
            let refusal = self.verification.refusal ?? (error.code == .peerCertificateMissing ? .noCertificate : nil)
            if let refusal {
                self.logger.notice("tls client certificate refused", metadata: ["tls.refusal": "\(refusal.code)"])
                self.reportRefusal(refusal)
                self.session.sendAlert(refusal.alert)
                self.finish(context: context, failure: .refused(refusal))
                self.sendAlertThenLinger(context: context)
            } else {
                // not a certificate refusal (garbage, no common protocol): no linger, nothing to explain
                self.logger.debug("tls handshake failed", metadata: ["error.code": "\(error.code.rawValue)", "tls.gnutls": "\(error.gnutlsName ?? "")"])
                self.refusalObserver?.handshakeFailed(listener: self.listenerName, failure: .protocolError)
                self.session.sendAlert(for: error)
                self.finish(context: context, failure: .handshakeFailed(error))
                self.sendOutputThenClose(context: context, mode: .all, promise: nil)
            }
        case .complete:
            self.handshakeCompleted(context: context)
        }
    }

    /// Tells the refusal observer (the audit seam), if any, with the refused leaf's serial and issuer.
    private func reportRefusal(_ refusal: ClientCertificateRefusal) {
        guard let observer = self.refusalObserver else { return }
        observer.handshakeRefused(HandshakeRefusal(listener: self.listenerName, refusal: refusal, chain: self.session.peerCertificateDER()))
    }

    private func handshakeCompleted(context: ChannelHandlerContext) {
        let negotiated = self.session.negotiated
        let outcome = negotiated.resumed ? self.verification.reverify(self.session.peerCertificateDER()) : self.verification.outcome
        var principal: Principal? = nil
        var clientCertificate: RevocationKey? = nil
        var notAfter: Int? = nil
        switch outcome {
        case .refused(let refusal):
            self.logger.notice("tls client certificate refused", metadata: ["tls.refusal": "\(refusal.code)", "tls.resumed": "\(negotiated.resumed)"])
            self.reportRefusal(refusal)
            self.session.sendAlert(refusal.alert)
            self.finish(context: context, failure: .refused(refusal))
            self.sendAlertThenLinger(context: context)
            return
        case .accepted(let client):
            guard self.registry.admit(context.channel, keys: client.revocationKeys) else {
                self.logger.notice("tls client certificate refused", metadata: ["tls.refusal": "revoked"])
                self.reportRefusal(.revoked)
                self.session.sendAlert(ClientCertificateRefusal.revoked.alert)
                self.finish(context: context, failure: .refused(.revoked))
                self.sendAlertThenLinger(context: context)
                return
            }
            principal = client.principal
            clientCertificate = client.revocationKeys.first
            notAfter = client.notAfter
            self.scheduleExpiry(context: context, notAfter: client.notAfter)
        case .anonymous:
            break
        }
        if case .handshaking(let timeout) = self.state { timeout?.cancel() }
        self.state = .active
        self.writeOutput(context: context, promise: nil)  // session tickets
        let peer = PeerIdentity(principal: principal, tls: negotiated, clientCertificate: clientCertificate, clientCertificateNotAfter: notAfter)
        self.refusalObserver?.handshakeCompleted(listener: self.listenerName, resumed: negotiated.resumed)
        self.establishedPromise.succeed(peer)
        context.fireUserInboundEventTriggered(TLSHandshakeCompletedEvent(peer: peer))
        context.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: negotiated.applicationProtocol))

        let writes = self.bufferedWrites
        self.bufferedWrites = []
        for (buffer, promise) in writes { self.encrypt(context: context, buffer, promise: promise) }
        if self.flushRequestedBeforeActive || !writes.isEmpty {
            self.flushRequestedBeforeActive = false
            self.flush(context: context)
        }
        if self.session.bufferedInboundCount > 0 || self.session.hasBufferedPlaintext {
            self.decodeAndDeliver(context: context)
        }
    }

    /// Ends the connection one second after `notAfter` (seconds since 1970, UTC) passes: a
    /// keep-alive connection does not outlive its client certificate. The close sends
    /// `certificate_expired`, as a new handshake with that certificate would be refused.
    private func scheduleExpiry(context: ChannelHandlerContext, notAfter: Int) {
        guard notAfter < Int.max else { return }
        let remaining = max(0, min(notAfter - ClientCertificateVerifier.systemClock() + 1, Self.longestExpiryWait))
        self.expiry = context.eventLoop.assumeIsolated().scheduleTask(in: .seconds(Int64(remaining))) {
            guard case .active = self.state else { return }
            self.logger.notice("tls connection closed: client certificate expired", metadata: ["tls.refusal": "expired"])
            self.session.sendAlert(ClientCertificateRefusal.expired.alert)
            self.finish(context: context, failure: .refused(.expired))
            self.sendOutputThenClose(context: context, mode: .all, promise: nil)
        }
    }

    /// The longest delay scheduled for an expiry close (400 days); a connection never lives that long.
    static let longestExpiryWait = 400 * 86_400

    private func decodeAndDeliver(context: ChannelHandlerContext) {
        var plaintext: ByteBuffer? = nil
        var ending: TLSReadResult? = nil
        let recordSize = self.session.maximumRecordSize
        reading: while true {
            // plaintext is never longer than the ciphertext it came from: size the buffer to what
            // arrived (a record larger than the space left is read in several steps)
            let wanted = min(recordSize, max(1024, self.session.bufferedInboundCount))
            var buffer = plaintext ?? context.channel.allocator.buffer(capacity: wanted)
            var result = TLSReadResult.needsMoreData
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { pointer in
                result = self.session.read(into: pointer)
                if case .bytes(let n) = result { return n }
                return 0
            }
            plaintext = buffer
            switch result {
            case .bytes: continue reading
            case .needsMoreData: break reading
            case .closed, .failed:
                ending = result
                break reading
            }
        }
        if let plaintext, plaintext.readableBytes > 0 {
            context.fireChannelRead(Self.wrapInboundOut(plaintext))
            context.fireChannelReadComplete()
        }
        self.writeOutput(context: context, promise: nil)  // e.g. a key update answer
        switch ending {
        case .closed?:
            self.receivedCloseNotify = true
            guard case .active = self.state else { return }
            if self.sentCloseNotify {
                context.close(promise: nil)
            } else {
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            }
        case .failed(let error)?:
            self.logger.debug("tls record layer failed", metadata: ["error.code": "\(error.code.rawValue)", "tls.gnutls": "\(error.gnutlsName ?? "")"])
            guard case .active = self.state else { return }
            self.state = .closed
            context.fireErrorCaught(TLSConnectionError.recordFailed(error))
            context.close(promise: nil)
        default:
            break
        }
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = Self.unwrapOutboundIn(data)
        switch self.state {
        case .idle, .handshaking:
            self.bufferedWrites.append((buffer, promise))
        case .active:
            self.encrypt(context: context, buffer, promise: promise)
        case .closing, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    private func encrypt(context: ChannelHandlerContext, _ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard !self.sentCloseNotify else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        do {
            if !self.corked {
                self.session.cork()
                self.corked = true
            }
            try buffer.withUnsafeReadableBytes { (bytes) throws(TLSSessionError) in try self.session.write(bytes) }
            if let promise { self.unflushedPromises.append(promise) }
        } catch {
            promise?.fail(TLSConnectionError.recordFailed(error))
            context.close(promise: nil)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        switch self.state {
        case .idle, .handshaking:
            self.flushRequestedBeforeActive = true
        case .active, .closing:
            if self.corked {
                self.corked = false
                do {
                    try self.session.uncork()
                } catch {
                    let promises = self.unflushedPromises
                    self.unflushedPromises = []
                    for promise in promises { promise.fail(TLSConnectionError.recordFailed(error)) }
                    context.close(promise: nil)
                    return
                }
            }
            let promises = self.unflushedPromises
            self.unflushedPromises = []
            var combined: EventLoopPromise<Void>? = nil
            if promises.count == 1 {
                combined = promises[0]
            } else if promises.count > 1 {
                let promise = context.eventLoop.makePromise(of: Void.self)
                promise.futureResult.whenComplete { result in
                    for waiting in promises { waiting.completeWith(result) }
                }
                combined = promise
            }
            self.writeOutput(context: context, promise: combined)
        case .closed:
            break
        }
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch mode {
        case .all:
            switch self.state {
            case .active:
                self.state = .closing
                self.flush(context: context)
                self.sendCloseNotify(context: context)
                self.sendOutputThenClose(context: context, mode: .all, promise: promise)
            case .idle, .handshaking:
                self.finish(context: context, failure: .closedDuringHandshake)
                context.close(mode: .all, promise: promise)
            case .closing, .closed:
                context.close(mode: .all, promise: promise)
            }
        case .output:
            if case .active = self.state {
                self.flush(context: context)
                self.sendCloseNotify(context: context)
                self.sendOutputThenClose(context: context, mode: self.receivedCloseNotify ? .all : .output, promise: promise)
                return
            }
            context.close(mode: .output, promise: promise)
        case .input:
            context.close(mode: .input, promise: promise)
        }
    }

    /// Appends close_notify to the session's output (sent by ``sendOutputThenClose``).
    private func sendCloseNotify(context: ChannelHandlerContext) {
        guard !self.sentCloseNotify else { return }
        if self.corked {
            self.corked = false
            try? self.session.uncork()
        }
        self.sentCloseNotify = true
        self.session.close()
    }

    /// What ends the connection once a final flight of output (an alert, close_notify) is written.
    private enum AfterFinalOutput {
        /// Close with `mode` and complete `promise`.
        case close(CloseMode, EventLoopPromise<Void>?)
        /// Leave the closing to a refused client, for ``refusalLinger`` at most (``sendAlertThenLinger(context:)``).
        case lingerForClient
    }

    /// Sends the session's pending output (an alert, close_notify) and closes once it is written.
    ///
    /// Closing at once could drop it: a close requested from inside a write's completion (an
    /// HTTP/1.0 response just sent) finds the channel mid-flush, and NIO fails writes still pending
    /// at close. A peer that does not read gets `closeNotifyTimeout` before the close is forced.
    private func sendOutputThenClose(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard self.session.hasPendingOutput else {
            context.close(mode: mode, promise: promise)
            return
        }
        self.sendFinalOutput(context: context, then: .close(mode, promise))
    }

    /// Sends a certificate refusal's fatal alert, then leaves the closing to the client: what it had already
    /// sent (a TLS 1.3 client sends its request right after its Finished) and sends until it has read
    /// the alert is read and dropped, and the connection ends when the client closes its side, or
    /// ``refusalLinger`` after the alert at the latest. Closing at once with those bytes unread
    /// makes the kernel answer with a reset, and even a clean close (FIN) can reach a browser before
    /// it has read the alert: either way it then reports a broken connection instead of the refused
    /// certificate.
    private func sendAlertThenLinger(context: ChannelHandlerContext) {
        self.sendFinalOutput(context: context, then: .lingerForClient)
    }

    /// Writes the session's pending output, then does `next`; a write that has not completed within
    /// ``closeNotifyTimeout`` (a peer that does not read) is cut short by closing.
    private func sendFinalOutput(context: ChannelHandlerContext, then next: AfterFinalOutput) {
        let written = context.eventLoop.makePromise(of: Void.self)
        self.writeOutput(context: context, promise: written)
        let forcedMode: CloseMode = if case .close(let mode, _) = next { mode } else { .all }
        let forced = context.eventLoop.assumeIsolated().scheduleTask(in: Self.closeNotifyTimeout) {
            context.close(mode: forcedMode, promise: nil)
        }
        written.futureResult.assumeIsolated().whenComplete { result in
            forced.cancel()
            switch next {
            case .close(let mode, let promise):
                context.close(mode: mode, promise: promise)
            case .lingerForClient:
                guard case .success = result, !self.peerClosedWhileEnding else {
                    context.close(mode: .all, promise: nil)
                    return
                }
                self.lingering = true
                self.lingerTimer = context.eventLoop.assumeIsolated().scheduleTask(in: Self.refusalLinger) {
                    context.close(mode: .all, promise: nil)
                }
            }
        }
    }

    /// How long a refused client has, once the alert is written, to read it and close before the
    /// connection is closed anyway (a browser closes within tens of milliseconds).
    static let refusalLinger: TimeAmount = .milliseconds(500)

    /// How long a final alert or close_notify may take to leave before the connection is closed anyway.
    static let closeNotifyTimeout: TimeAmount = .seconds(2)

    /// Sends what the session produced (records, alerts, tickets) and flushes.
    private func writeOutput(context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        guard self.session.hasPendingOutput else {
            if let promise {
                context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
            }
            return
        }
        let buffer = self.session.takeOutput { bytes in
            var buffer = context.channel.allocator.buffer(capacity: bytes.count)
            buffer.writeBytes(bytes)
            return buffer
        }
        context.writeAndFlush(Self.wrapOutboundOut(buffer), promise: promise)
    }
}

@available(*, unavailable)
extension TLSServerHandler: Sendable {}

/// Why a connection ended without an accepted peer, or failed afterwards.
public enum TLSConnectionError: Error, Sendable, Hashable {
    /// The client's certificate was refused, with the reason.
    case refused(ClientCertificateRefusal)
    /// The handshake failed for another reason (bad or unsupported ClientHello, no shared version
    /// or cipher, …).
    case handshakeFailed(TLSSessionError)
    /// The handshake did not finish within the listener's handshake timeout.
    case handshakeTimedOut
    /// The connection closed before the handshake finished.
    case closedDuringHandshake
    /// A record could not be read or written after the handshake.
    case recordFailed(TLSSessionError)

    /// A stable code, e.g. `refused.revoked`.
    public var code: String {
        switch self {
        case .refused(let refusal): "refused.\(refusal.code)"
        case .handshakeFailed(let error): "handshake-failed.\(error.code.rawValue)"
        case .handshakeTimedOut: "handshake-timeout"
        case .closedDuringHandshake: "closed-during-handshake"
        case .recordFailed(let error): "record-failed.\(error.code.rawValue)"
        }
    }
}

