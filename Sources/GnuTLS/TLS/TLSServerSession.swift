#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CGnuTLS

/// Whether and how a server asks the client for a certificate.
public enum ClientCertificateRequest: Sendable, Hashable {
    /// Do not ask.
    case ignore
    /// Ask; a client may still send none.
    case request
    /// Ask, and fail the handshake when the client sends none.
    case require
}

/// Everything a server session is made from. All parts are immutable and shared; each session
/// keeps strong references to them for as long as it lives.
public struct TLSServerSessionConfiguration: Sendable {
    /// Server key pairs and client CA names.
    public var credentials: ServerCredentials
    /// Allowed versions and algorithms.
    public var priorities: TLSPriorities
    /// Whether to ask for a client certificate.
    public var clientCertificate: ClientCertificateRequest
    /// The ticket master key; `nil` disables session tickets (and so resumption).
    public var ticketKey: SessionTicketKey?
    /// How long a ticket stays valid, and the ticket key rotation period, in seconds.
    public var ticketLifetimeSeconds: Int
    /// ALPN protocols offered, in preference order; when non-empty, a client that offers ALPN
    /// without any of them is refused (`no_application_protocol`). Clients without ALPN are served.
    public var applicationProtocols: [String]

    /// Makes a configuration.
    public init(
        credentials: ServerCredentials,
        priorities: TLSPriorities,
        clientCertificate: ClientCertificateRequest,
        ticketKey: SessionTicketKey?,
        ticketLifetimeSeconds: Int = 6 * 3600,
        applicationProtocols: [String] = ["http/1.1"]
    ) {
        self.credentials = credentials
        self.priorities = priorities
        self.clientCertificate = clientCertificate
        self.ticketKey = ticketKey
        self.ticketLifetimeSeconds = ticketLifetimeSeconds
        self.applicationProtocols = applicationProtocols
    }
}

/// The outcome of one step of the handshake.
public enum TLSHandshakeStep: Sendable, Equatable {
    /// The handshake is done; application data may flow.
    case complete
    /// More bytes from the peer are needed; feed them with ``TLSServerSession/receive(_:)``.
    case needsMoreData
    /// The handshake failed; send an alert (``TLSServerSession/sendAlert(for:)`` or a more
    /// specific one), send the output, and close.
    case failed(TLSSessionError)
}

/// The outcome of reading application data.
public enum TLSReadResult: Sendable, Equatable {
    /// This many plaintext bytes were written to the buffer.
    case bytes(Int)
    /// No complete record is buffered; wait for more bytes from the peer.
    case needsMoreData
    /// The peer sent close_notify: a clean end of its data.
    case closed
    /// The connection failed and must be closed.
    case failed(TLSSessionError)
}

/// TLS alerts the server may send on its own initiative.
public enum TLSAlert: Sendable, Hashable {
    case badCertificate
    case certificateRevoked
    case certificateExpired
    case certificateUnknown
    case unknownCA
    case accessDenied
    case certificateRequired

    var gnutlsValue: gnutls_alert_description_t {
        switch self {
        case .badCertificate: GNUTLS_A_BAD_CERTIFICATE
        case .certificateRevoked: GNUTLS_A_CERTIFICATE_REVOKED
        case .certificateExpired: GNUTLS_A_CERTIFICATE_EXPIRED
        case .certificateUnknown: GNUTLS_A_CERTIFICATE_UNKNOWN
        case .unknownCA: GNUTLS_A_UNKNOWN_CA
        case .accessDenied: GNUTLS_A_ACCESS_DENIED
        case .certificateRequired: GNUTLS_A_CERTIFICATE_REQUIRED
        }
    }
}

/// What was negotiated, for logs and for the principal's context. Holds no secrets.
public struct TLSNegotiatedParameters: Sendable, Hashable {
    /// `TLS1.3` or `TLS1.2`.
    public let protocolVersion: String
    /// The cipher suite's standard name, e.g. `TLS_AES_128_GCM_SHA256` or
    /// `TLS_GOSTR341112_256_WITH_28147_CNT_IMIT`.
    public let cipherSuite: String
    /// Whether the session was resumed from a ticket.
    public let resumed: Bool
    /// The ALPN protocol selected, if any.
    public let applicationProtocol: String?
}

/// A GnuTLS server session that reads and writes through memory buffers instead of a socket.
///
/// The owner feeds bytes received from the network with ``receive(_:)``, calls ``handshake()``
/// and ``read(into:)``, encrypts with ``write(_:)``, and sends whatever ``takeOutput()`` returns.
/// Nothing here blocks, sleeps, touches a socket or starts a thread: GnuTLS's pull callback
/// answers `EAGAIN` when the inbound buffer is empty, and its push callback appends to the outbound
/// buffer. Not thread-safe: use a session from one thread (one event loop) at a time.
///
/// The session keeps its credentials, priorities and ticket key alive for as long as it exists.
public final class TLSServerSession {
    private let handle: gnutls_session_t
    private let configuration: TLSServerSessionConfiguration
    private var inbound: [UInt8] = []
    private var inboundReadIndex = 0
    private var outbound: [UInt8] = []
    private var verifier: (([[UInt8]]) -> Bool)?

    /// Creates a session. Throws ``TLSSessionError`` when GnuTLS refuses the configuration.
    ///
    /// - Parameter verifier: called during the handshake, when the client's Certificate message
    ///   has arrived (also when it was empty), with the client's chain as DER (leaf first; empty
    ///   when it sent none). Return `false` to fail the handshake. Not called when the session is
    ///   resumed from a ticket: re-check ``peerCertificateDER()`` after such a handshake.
    public init(
        configuration: TLSServerSessionConfiguration,
        verifier: (([[UInt8]]) -> Bool)?
    ) throws(TLSSessionError) {
        var session: gnutls_session_t?
        var flags = UInt32(GNUTLS_SERVER) | UInt32(GNUTLS_NONBLOCK) | UInt32(GNUTLS_NO_SIGNAL)
        if configuration.ticketKey == nil { flags |= UInt32(GNUTLS_NO_TICKETS) }
        let result = gnutls_init(&session, flags)
        guard result == GNUTLS_E_SUCCESS, let session else { throw TLSSessionError(.internalFailure, gnutlsCode: result) }
        self.handle = session
        self.configuration = configuration
        self.verifier = verifier
        try self.configure()
    }

    deinit {
        gnutls_deinit(self.handle)
    }

    private func configure() throws(TLSSessionError) {
        var result = gnutls_priority_set(self.handle, self.configuration.priorities.handle)
        guard result == GNUTLS_E_SUCCESS else { throw TLSSessionError(.configurationRejected, gnutlsCode: result) }
        result = gnutls_credentials_set(self.handle, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(self.configuration.credentials.handle))
        guard result == GNUTLS_E_SUCCESS else { throw TLSSessionError(.configurationRejected, gnutlsCode: result) }

        switch self.configuration.clientCertificate {
        case .ignore: gnutls_certificate_server_set_request(self.handle, GNUTLS_CERT_IGNORE)
        case .request: gnutls_certificate_server_set_request(self.handle, GNUTLS_CERT_REQUEST)
        case .require: gnutls_certificate_server_set_request(self.handle, GNUTLS_CERT_REQUIRE)
        }
        if self.configuration.clientCertificate != .ignore {
            gnutls_session_set_verify_function(self.handle, tlsServerSessionVerify)
        }

        if let ticketKey = self.configuration.ticketKey {
            result = withUnsafePointer(to: &ticketKey.datum) { gnutls_session_ticket_enable_server(self.handle, $0) }
            guard result == GNUTLS_E_SUCCESS else { throw TLSSessionError(.configurationRejected, gnutlsCode: result) }
            gnutls_db_set_cache_expiration(self.handle, Int32(clamping: self.configuration.ticketLifetimeSeconds))
        }

        if !self.configuration.applicationProtocols.isEmpty {
            let names = self.configuration.applicationProtocols.map { Array($0.utf8) }
            result = names.withUnsafeDatums { datums in
                gnutls_alpn_set_protocols(
                    self.handle, datums.baseAddress, UInt32(datums.count),
                    UInt32(GNUTLS_ALPN_SERVER_PRECEDENCE.rawValue | GNUTLS_ALPN_MANDATORY.rawValue))
            }
            guard result == GNUTLS_E_SUCCESS else { throw TLSSessionError(.configurationRejected, gnutlsCode: result) }
        }

        let pointer = Unmanaged.passUnretained(self).toOpaque()
        gnutls_session_set_ptr(self.handle, pointer)
        gnutls_transport_set_ptr(self.handle, pointer)
        gnutls_transport_set_push_function(self.handle, tlsServerSessionPush)
        gnutls_transport_set_pull_function(self.handle, tlsServerSessionPull)
        gnutls_transport_set_pull_timeout_function(self.handle, tlsServerSessionPullTimeout)
        gnutls_handshake_set_timeout(self.handle, 0)  // the owner runs its own timer
    }

    // MARK: Transport

    // Both buffers are released as soon as they are emptied (GnuTLS has taken every received
    // byte; the owner has taken the output), so an idle connection holds none: keeping up to 4 KiB
    // each cost 2.4 KiB per idle connection (heaptrack, 2,000 idle connections, issue 13), for
    // one allocation saved per read and per write.

    /// Appends bytes received from the peer.
    public func receive(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        if self.inboundReadIndex == self.inbound.count {
            self.inbound = []
            self.inboundReadIndex = 0
        } else if self.inboundReadIndex > 16 * 1024 {
            self.inbound.removeFirst(self.inboundReadIndex)
            self.inboundReadIndex = 0
        }
        self.inbound.append(contentsOf: bytes)
    }

    /// Received bytes GnuTLS has not consumed yet.
    public var bufferedInboundCount: Int { self.inbound.count - self.inboundReadIndex }

    /// Whether there are bytes to send to the peer.
    public var hasPendingOutput: Bool { !self.outbound.isEmpty }

    /// Hands the bytes to send to the peer to `body` and clears them.
    public func takeOutput<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        defer {
            self.outbound = []
        }
        return try self.outbound.withUnsafeBytes { try body($0) }
    }

    fileprivate func pull(into destination: UnsafeMutableRawPointer, count: Int) -> Int {
        let available = self.inbound.count - self.inboundReadIndex
        guard available > 0 else { return 0 }
        let n = min(available, count)
        self.inbound.withUnsafeBytes { source in
            destination.copyMemory(from: source.baseAddress! + self.inboundReadIndex, byteCount: n)
        }
        self.inboundReadIndex += n
        if self.inboundReadIndex == self.inbound.count {
            self.inbound = []
            self.inboundReadIndex = 0
        }
        return n
    }

    fileprivate func push(_ source: UnsafeRawPointer, count: Int) {
        self.outbound.append(contentsOf: UnsafeRawBufferPointer(start: source, count: count))
    }

    fileprivate func runVerifier() -> Int32 {
        guard let verifier = self.verifier else { return 0 }
        return verifier(self.peerCertificateDER()) ? 0 : -1
    }

    // MARK: Handshake and records

    /// Advances the handshake with the bytes received so far.
    ///
    /// GnuTLS answers `GNUTLS_E_AGAIN` after each record that holds only part of a handshake
    /// message (a message split over several records: a ClientHello in one-byte records, a client
    /// certificate chain over 16 KiB), even when the rest is already buffered here. It is called
    /// again while it keeps taking buffered bytes; only when it takes none does the handshake wait
    /// for the network (waiting then stalled such handshakes until the handshake timeout).
    public func handshake() -> TLSHandshakeStep {
        var buffered = Int.max
        while true {
            let result = gnutls_handshake(self.handle)
            switch result {
            case GNUTLS_E_SUCCESS:
                self.verifier = nil  // done with it; breaks any reference cycle through its captures
                return .complete
            case GNUTLS_E_AGAIN:
                let left = self.bufferedInboundCount
                if left > 0, left < buffered {
                    buffered = left
                    continue
                }
                return .needsMoreData
            case GNUTLS_E_INTERRUPTED, GNUTLS_E_WARNING_ALERT_RECEIVED, GNUTLS_E_GOT_APPLICATION_DATA:
                if result == GNUTLS_E_WARNING_ALERT_RECEIVED,
                    gnutls_alert_get(self.handle) == GNUTLS_A_NO_RENEGOTIATION || gnutls_alert_get(self.handle) == GNUTLS_A_USER_CANCELED {
                    return .failed(TLSSessionError(.alertReceived, gnutlsCode: result))
                }
                continue
            default:
                self.verifier = nil
                return .failed(.classify(result, duringHandshake: true))
            }
        }
    }

    /// Decrypts the next buffered record into `buffer`.
    ///
    /// Call it until it answers ``TLSReadResult/needsMoreData``: GnuTLS may hold several records
    /// from one network read. A renegotiation attempt is refused with a `no_renegotiation` alert and
    /// reported as ``TLSSessionError/Code/renegotiationRefused``.
    public func read(into buffer: UnsafeMutableRawBufferPointer) -> TLSReadResult {
        while true {
            let result = gnutls_record_recv(self.handle, buffer.baseAddress, buffer.count)
            if result > 0 { return .bytes(result) }
            if result == 0 { return .closed }
            let code = Int32(result)
            switch code {
            case GNUTLS_E_AGAIN:
                return .needsMoreData
            case GNUTLS_E_INTERRUPTED:
                continue
            case GNUTLS_E_REHANDSHAKE:
                _ = gnutls_alert_send(self.handle, GNUTLS_AL_FATAL, GNUTLS_A_NO_RENEGOTIATION)
                return .failed(TLSSessionError(.renegotiationRefused, gnutlsCode: code))
            default:
                if gnutls_error_is_fatal(code) == 0 { continue }
                return .failed(.classify(code, duringHandshake: false))
            }
        }
    }

    /// Whether decrypted bytes are waiting inside GnuTLS.
    public var hasBufferedPlaintext: Bool { gnutls_record_check_pending(self.handle) > 0 }

    /// The largest plaintext a single record carries.
    public var maximumRecordSize: Int { gnutls_record_get_max_size(self.handle) }

    /// Encrypts `plaintext` into records appended to the output.
    public func write(_ plaintext: UnsafeRawBufferPointer) throws(TLSSessionError) {
        var offset = 0
        while offset < plaintext.count {
            let result = gnutls_record_send(self.handle, plaintext.baseAddress! + offset, plaintext.count - offset)
            if result > 0 {
                offset += result
                continue
            }
            let code = Int32(result)
            if code == GNUTLS_E_INTERRUPTED || code == GNUTLS_E_AGAIN { continue }
            throw TLSSessionError.classify(code, duringHandshake: false)
        }
    }

    /// Starts collecting written plaintext instead of making records at once, so that several
    /// writes (an HTTP head and body) go out as one record; ``uncork()`` makes the records.
    public func cork() {
        gnutls_record_cork(self.handle)
    }

    /// Makes records of everything written since ``cork()`` (as few as the record size allows).
    public func uncork() throws(TLSSessionError) {
        while true {
            let result = gnutls_record_uncork(self.handle, 0)
            if result >= 0 { return }
            let code = Int32(result)
            if code == GNUTLS_E_AGAIN || code == GNUTLS_E_INTERRUPTED { continue }
            throw TLSSessionError.classify(code, duringHandshake: false)
        }
    }

    /// Appends a close_notify alert to the output (the write side's orderly end).
    public func close() {
        _ = gnutls_bye(self.handle, GNUTLS_SHUT_WR)
    }

    /// Appends a fatal alert to the output.
    public func sendAlert(_ alert: TLSAlert) {
        _ = gnutls_alert_send(self.handle, GNUTLS_AL_FATAL, alert.gnutlsValue)
    }

    /// Appends the alert GnuTLS considers appropriate for `error` (nothing when the peer itself
    /// ended the connection with an alert or without close_notify).
    public func sendAlert(for error: TLSSessionError) {
        guard let code = error.gnutlsCode, code != GNUTLS_E_FATAL_ALERT_RECEIVED, code != GNUTLS_E_PREMATURE_TERMINATION
        else { return }
        _ = gnutls_alert_send_appropriate(self.handle, code)
    }

    // MARK: Inspection

    /// The client's certificate chain as it sent it, DER, leaf first; empty when it sent none.
    /// Available during verification and after the handshake, also on a resumed session.
    public func peerCertificateDER() -> [[UInt8]] {
        var count: UInt32 = 0
        guard let list = gnutls_certificate_get_peers(self.handle, &count), count > 0 else { return [] }
        return (0..<Int(count)).map { [UInt8](copying: list[$0]) }
    }

    /// The client's certificate chain, parsed; empty when it sent none or a certificate does not parse.
    public func peerCertificates() -> [X509Certificate] {
        var chain: [X509Certificate] = []
        for der in self.peerCertificateDER() {
            guard let certificate = try? X509Certificate(der: der) else { return [] }
            chain.append(certificate)
        }
        return chain
    }

    /// What the completed handshake negotiated.
    public var negotiated: TLSNegotiatedParameters {
        let version = gnutls_protocol_get_name(gnutls_protocol_get_version(self.handle)).map { String(cString: $0) } ?? "unknown"
        let suite = gnutls_ciphersuite_get(self.handle).map { String(cString: $0) } ?? "unknown"
        var selected = gnutls_datum_t()
        let alpn: String? =
            gnutls_alpn_get_selected_protocol(self.handle, &selected) == GNUTLS_E_SUCCESS
            ? String(decoding: [UInt8](copying: selected), as: UTF8.self) : nil
        return TLSNegotiatedParameters(
            protocolVersion: version, cipherSuite: suite,
            resumed: gnutls_session_is_resumed(self.handle) != 0, applicationProtocol: alpn)
    }
}

extension Array where Element == [UInt8] {
    /// Lends the byte arrays to GnuTLS as an array of datums.
    fileprivate func withUnsafeDatums<R>(_ body: (UnsafeBufferPointer<gnutls_datum_t>) -> R) -> R {
        var storage = self.map { $0.isEmpty ? [0] : $0 }
        var datums: [gnutls_datum_t] = []
        datums.reserveCapacity(storage.count)
        return withExtendedLifetime(storage) {
            for index in storage.indices {
                storage[index].withUnsafeMutableBufferPointer { buffer in
                    datums.append(gnutls_datum_t(data: buffer.baseAddress, size: UInt32(self[index].count)))
                }
            }
            return datums.withUnsafeBufferPointer { body($0) }
        }
    }
}

// MARK: C callbacks (capture nothing; find the session through its pointer)

private func tlsServerSession(_ pointer: UnsafeMutableRawPointer?) -> TLSServerSession {
    Unmanaged<TLSServerSession>.fromOpaque(pointer!).takeUnretainedValue()
}

private let tlsServerSessionPush: gnutls_push_func = { transport, data, size in
    guard let data else { return 0 }
    tlsServerSession(transport).push(data, count: size)
    return size
}

private let tlsServerSessionPull: gnutls_pull_func = { transport, data, size in
    let session = tlsServerSession(transport)
    guard let data else { return 0 }
    let n = session.pull(into: data, count: size)
    if n == 0 {
        gnutls_transport_set_errno(session.handleForCallbacks, EAGAIN)
        return -1
    }
    return n
}

private let tlsServerSessionPullTimeout: gnutls_pull_timeout_func = { transport, _ in
    tlsServerSession(transport).bufferedInboundCount > 0 ? 1 : 0
}

private let tlsServerSessionVerify: @convention(c) (gnutls_session_t?) -> Int32 = { session in
    guard let session, let pointer = gnutls_session_get_ptr(session) else { return -1 }
    return tlsServerSession(pointer).runVerifier()
}

extension TLSServerSession {
    fileprivate var handleForCallbacks: gnutls_session_t { self.handle }
}
