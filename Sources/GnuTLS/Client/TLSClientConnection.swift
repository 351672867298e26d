import CGnuTLS

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TLS client connection with a client certificate, for command-line tools (the
/// renewal client): it connects, verifies the server against a CA bundle and its host name (or IP
/// address), authenticates with a certificate chain and key, and sends and receives bytes.
///
/// Blocking by design (a socket with send and receive timeouts): use it from a command, never
/// from an event loop. Not thread-safe; one connection per task.
public final class TLSClientConnection {
    private let session: gnutls_session_t
    private let credentials: gnutls_certificate_credentials_t
    private let socket: Int32
    /// The expected server name, owned by this connection: GnuTLS keeps the pointer given to
    /// `gnutls_session_set_verify_cert` and reads it during the handshake, so it must outlive the call.
    private let expectedHost: UnsafeMutablePointer<CChar>
    private let timeoutSeconds: Int
    private var closed = false

    /// Connects to `host`:`port` and completes the handshake.
    ///
    /// - Parameters:
    ///   - trustedAuthoritiesPEM: the CA certificates the server's chain must lead to.
    ///   - certificateChainPEM: the client's certificate, then its issuing CA, PEM.
    ///   - privateKeyPEM: the client's private key, PKCS#8 PEM (unencrypted).
    ///   - priority: a GnuTLS priority string (`NORMAL`, or the GOST-only string for GOST keys).
    ///   - timeoutSeconds: the connect, handshake, send and receive timeout.
    /// - Throws: ``TLSClientError`` with `connect-failed`, `credentials-invalid`, `handshake-failed`
    ///   (including a server certificate that does not verify or does not match `host`).
    public init(
        host: String, port: Int, trustedAuthoritiesPEM: [UInt8], certificateChainPEM: [UInt8], privateKeyPEM: [UInt8],
        priority: String = "NORMAL", timeoutSeconds: Int = 30
    ) throws(TLSClientError) {
        var credentials: gnutls_certificate_credentials_t?
        guard gnutls_certificate_allocate_credentials(&credentials) == GNUTLS_E_SUCCESS, let credentials else {
            throw TLSClientError(.credentialsInvalid)
        }
        let trusted = withDatum(trustedAuthoritiesPEM) {
            gnutls_certificate_set_x509_trust_mem(credentials, $0, GNUTLS_X509_FMT_PEM)
        }
        let keyed = withDatum(certificateChainPEM) { chain in
            withDatum(privateKeyPEM) { key in
                gnutls_certificate_set_x509_key_mem2(credentials, chain, key, GNUTLS_X509_FMT_PEM, nil, 0)
            }
        }
        guard trusted > 0, keyed >= 0 else {
            gnutls_certificate_free_credentials(credentials)
            throw TLSClientError(.credentialsInvalid, gnutlsCode: keyed < 0 ? keyed : (trusted < 0 ? trusted : nil))
        }
        let socket: Int32
        do { socket = try Self.connectSocket(host: host, port: port, timeoutSeconds: timeoutSeconds) } catch {
            gnutls_certificate_free_credentials(credentials)
            throw error
        }
        var session: gnutls_session_t?
        guard gnutls_init(&session, UInt32(GNUTLS_CLIENT)) == GNUTLS_E_SUCCESS, let session else {
            close(socket)
            gnutls_certificate_free_credentials(credentials)
            throw TLSClientError(.handshakeFailed)
        }
        guard let expectedHost = strdup(host) else {
            gnutls_deinit(session)
            close(socket)
            gnutls_certificate_free_credentials(credentials)
            throw TLSClientError(.handshakeFailed)
        }
        self.session = session
        self.credentials = credentials
        self.socket = socket
        self.expectedHost = expectedHost
        self.timeoutSeconds = timeoutSeconds

        var failure = gnutls_priority_set_direct(session, priority, nil)
        if failure >= 0 { failure = gnutls_credentials_set(session, GNUTLS_CRD_CERTIFICATE, UnsafeMutableRawPointer(credentials)) }
        if failure >= 0 && SubjectAlternativeName.ipAddress(host) == nil {
            failure = gnutls_server_name_set(session, GNUTLS_NAME_DNS, host, host.utf8.count)
        }
        guard failure >= 0 else { throw TLSClientError(.handshakeFailed, gnutlsCode: failure) }
        gnutls_session_set_verify_cert(session, expectedHost, 0)
        gnutls_transport_set_int2(session, socket, socket)
        gnutls_handshake_set_timeout(session, UInt32(timeoutSeconds * 1000))
        var result: Int32
        repeat {
            result = gnutls_handshake(session)
        } while result < 0 && gnutls_error_is_fatal(result) == 0
        guard result >= 0 else {
            var status: UInt32? = nil
            if result == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR { status = gnutls_session_get_verify_cert_status(session) }
            throw TLSClientError(.handshakeFailed, gnutlsCode: result, verificationStatus: status)
        }
    }

    deinit {
        if !self.closed { gnutls_bye(self.session, GNUTLS_SHUT_WR) }
        gnutls_deinit(self.session)
        gnutls_certificate_free_credentials(self.credentials)
        close(self.socket)
        free(self.expectedHost)
    }

    /// Sends all of `bytes`.
    public func send(_ bytes: [UInt8]) throws(TLSClientError) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { gnutls_record_send(self.session, $0.baseAddress, $0.count) }
            if sent < 0 {
                if gnutls_error_is_fatal(Int32(sent)) == 0 { continue }
                throw TLSClientError(.ioFailed, gnutlsCode: Int32(sent))
            }
            offset += sent
        }
    }

    /// Receives until the server closes the connection or `limit` bytes arrived.
    public func receiveAll(limit: Int = 1024 * 1024) throws(TLSClientError) -> [UInt8] {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while received.count < limit {
            let count = buffer.withUnsafeMutableBytes { gnutls_record_recv(self.session, $0.baseAddress, $0.count) }
            if count == 0 || count == Int(GNUTLS_E_PREMATURE_TERMINATION) { break }
            if count < 0 {
                if gnutls_error_is_fatal(Int32(count)) == 0 { continue }
                throw TLSClientError(.ioFailed, gnutlsCode: Int32(count))
            }
            received += buffer[0..<count]
        }
        return received
    }

    /// Receives what the next TLS record holds, at most `maximum` bytes: empty when the server
    /// closed the connection. For a client that reads an HTTP/1.1 response by its length and keeps
    /// the connection for the next request (``receiveAll(limit:)`` reads until the close).
    public func receiveSome(maximum: Int = 16 * 1024) throws(TLSClientError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: max(maximum, 1))
        // GNUTLS_E_AGAIN comes both after a post-handshake message (a TLS 1.3 session ticket: read
        // again) and when the socket's receive timeout ran out (a silent server: give up)
        let started = ContinuousClock.now
        while true {
            let count = buffer.withUnsafeMutableBytes { gnutls_record_recv(self.session, $0.baseAddress, $0.count) }
            if count == 0 || count == Int(GNUTLS_E_PREMATURE_TERMINATION) { return [] }
            if count < 0 {
                let timedOut = count == Int(GNUTLS_E_AGAIN) && ContinuousClock.now - started >= .seconds(self.timeoutSeconds)
                if !timedOut && gnutls_error_is_fatal(Int32(count)) == 0 { continue }
                throw TLSClientError(.ioFailed, gnutlsCode: Int32(count))
            }
            return Array(buffer[0..<count])
        }
    }

    /// Sends close_notify (also done when the connection is released).
    public func sendCloseNotify() {
        guard !self.closed else { return }
        self.closed = true
        gnutls_bye(self.session, GNUTLS_SHUT_WR)
    }

    private static func connectSocket(host: String, port: Int, timeoutSeconds: Int) throws(TLSClientError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let list else { throw TLSClientError(.connectFailed) }
        defer { freeaddrinfo(list) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            let descriptor = posixSocket(current.pointee.ai_family, current.pointee.ai_socktype, current.pointee.ai_protocol)
            if descriptor >= 0 {
                setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if posixConnect(descriptor, current.pointee.ai_addr, current.pointee.ai_addrlen) == 0 { return descriptor }
                close(descriptor)
            }
            entry = current.pointee.ai_next
        }
        throw TLSClientError(.connectFailed)
    }
}

/// `socket(2)` and `connect(2)`, named apart from ``TLSClientConnection``'s `socket` property.
private func posixSocket(_ domain: Int32, _ type: Int32, _ protocol: Int32) -> Int32 { socket(domain, type, `protocol`) }
private func posixConnect(_ descriptor: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    connect(descriptor, address, length)
}

/// Why a ``TLSClientConnection`` failed; names a stable code and GnuTLS's error name, never data.
public struct TLSClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable, matchable reasons.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// No TCP connection to the host could be made.
        case connectFailed = "connect-failed"
        /// The CA bundle, the certificate chain or the key could not be loaded.
        case credentialsInvalid = "credentials-invalid"
        /// The handshake failed (including a server certificate that does not verify).
        case handshakeFailed = "handshake-failed"
        /// Sending or receiving failed.
        case ioFailed = "io-failed"
    }

    /// The reason.
    public let code: Code
    /// GnuTLS's error code, when it reported the failure.
    public let gnutlsCode: Int32?
    /// Why the server's certificate was refused (``CertificateStatus`` bits), when it was.
    public let verificationStatus: CertificateStatus?

    /// Makes an error.
    public init(_ code: Code, gnutlsCode: Int32? = nil, verificationStatus: UInt32? = nil) {
        self.code = code
        self.gnutlsCode = gnutlsCode
        self.verificationStatus = verificationStatus.map(CertificateStatus.init(rawValue:))
    }

    public var description: String {
        "tls client \(self.code.rawValue)" + (self.gnutlsCode.map { " (\(X509Bridge.errorName($0)))" } ?? "")
            + (self.verificationStatus.map { " server certificate status 0x\(String($0.rawValue, radix: 16))" } ?? "")
    }
}
