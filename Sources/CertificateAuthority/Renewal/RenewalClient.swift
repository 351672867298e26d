import Foundation
public import GnuTLS
import Identity

/// The client side of renewal without an administrator (`bilet certs renew`): decides whether
/// the current certificate is due, makes a new key and a request for the same identity, asks the
/// gateway's `POST /v1/certificates/renew` over mutual TLS with the current certificate, and
/// replaces the certificate and key files atomically (the key with mode 0600).
///
/// Suitable for a cron job or a systemd timer: when the certificate is not yet in the last third
/// of its lifetime it does nothing and says so; it never touches the files unless the gateway
/// answered with a certificate for the same identity and the new key.
public struct RenewalClient: Sendable {
    /// Where the gateway is: host name or IP address, and port.
    public let host: String
    public let port: Int
    /// The CA bundle that verifies the gateway (and holds the issuing CAs).
    public let trustBundlePath: String
    /// The current certificate chain file (certificate, then issuing CA) and its key file.
    public let certificatePath: String
    public let keyPath: String
    /// The GnuTLS priority string; GOST keys need the GOST-only TLS 1.2 priority.
    public let priority: String

    /// The GOST-only TLS 1.2 priority (RFC 9189 suites) a GOST workstation uses.
    public static let gostPriority = "NONE:+VERS-TLS1.2:+GOST-ALL:+SIGN-ALL:+CURVE-ALL:+GROUP-ALL:+CTYPE-X509:+COMP-NULL"

    /// Names everything; nothing is read yet.
    public init(host: String, port: Int, trustBundlePath: String, certificatePath: String, keyPath: String, priority: String? = nil) {
        self.host = host
        self.port = port
        self.trustBundlePath = trustBundlePath
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.priority = priority ?? "NORMAL"
    }

    /// What ``renew(force:now:)`` did.
    public enum Outcome: Sendable {
        /// The certificate is not due; the renewal window opens at that time (seconds since 1970).
        case notDue(windowOpens: Int)
        /// Renewed: the files now hold this certificate and its new key.
        case renewed(X509Certificate)
    }

    /// Renews the certificate if it is in the last third of its lifetime (or `force`).
    ///
    /// - Throws: ``CertificateAuthorityError`` (`file-unreadable`, `key-file-exposed`,
    ///   `certificate-expired`), ``TLSClientError``, or ``RenewalRefused`` with the gateway's
    ///   problem code.
    public func renew(force: Bool = false, now: Int) throws -> Outcome {
        let chain = try ProtectedFile.readPublic(self.certificatePath)
        var key = try ProtectedFile.readSecret(self.keyPath)
        defer { _ = key.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) } }
        guard let current = try? X509Certificate.list(pem: chain).first, let currentKey = current.publicKey else {
            throw CertificateAuthorityError(.fileUnreadable, self.certificatePath)
        }
        guard now < current.notAfter else { throw CertificateAuthorityError(.certificateExpired) }
        let windowOpens = current.notAfter - (current.notAfter - current.notBefore) / 3
        if !force && now < windowOpens { return .notDue(windowOpens: windowOpens) }
        let principal = try IdentityURI.principal(fromSubjectAlternativeURIs: current.subjectAlternativeURIs)

        let fresh = try CertificateRequester.make(identity: principal, keyType: KeyType(currentKey.algorithm))
        let connection = try TLSClientConnection(
            host: self.host, port: self.port, trustedAuthoritiesPEM: try ProtectedFile.readPublic(self.trustBundlePath),
            certificateChainPEM: chain, privateKeyPEM: key, priority: self.priority)
        let body = Array(fresh.request.pemRepresentation.utf8)
        let head =
            "POST /v1/certificates/renew HTTP/1.1\r\nHost: \(self.host)\r\nContent-Type: application/pkcs10\r\n"
            + "Accept: application/pem-certificate-chain\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        try connection.send(Array(head.utf8) + body)
        let response = try HTTPResponseParser.parse(try connection.receiveAll())
        connection.sendCloseNotify()
        guard response.status == 200 else {
            throw RenewalRefused(status: response.status, code: Self.problemCode(response.body))
        }
        guard let issued = try? X509Certificate.list(pem: response.body), let leaf = issued.first,
              leaf.publicKey == fresh.key.publicKey,
              (try? IdentityURI.principal(fromSubjectAlternativeURIs: leaf.subjectAlternativeURIs)) == principal
        else { throw RenewalRefused(status: response.status, code: "unexpected-certificate") }

        // the key first: a certificate without its key is never left behind
        try ProtectedFile.writeSecret(Array(try fresh.key.exportPEM().utf8), to: self.keyPath, replacing: true)
        try ProtectedFile.writePublic(String(decoding: response.body, as: UTF8.self), to: self.certificatePath)
        return .renewed(leaf)
    }

    static func problemCode(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.range(of: "\"code\":\"") else { return "unknown" }
        let rest = text[range.upperBound...]
        return String(rest.prefix(while: { $0 != "\"" }).prefix(64))
    }
}

/// The gateway refused a renewal; ``code`` is the problem document's code (for example
/// `outside-renewal-window`).
public struct RenewalRefused: Error, Sendable, Hashable, CustomStringConvertible {
    /// The HTTP status.
    public let status: Int
    /// The problem code.
    public let code: String

    public var description: String { "renewal refused: \(self.status) \(self.code)" }
}

/// Just enough HTTP/1.1 response parsing for the renewal answer: status, Content-Length or
/// chunked body, or a body that ends with the connection.
enum HTTPResponseParser {
    struct Response {
        let status: Int
        let body: [UInt8]
    }

    static func parse(_ bytes: [UInt8]) throws(RenewalRefused) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0...(max(bytes.count - 4, 0))).first(where: { bytes.count >= $0 + 4 && Array(bytes[$0..<($0 + 4)]) == separator }) else {
            throw RenewalRefused(status: 0, code: "malformed-response")
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n").map(String.init)
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw RenewalRefused(status: 0, code: "malformed-response") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try Self.dechunk(body)
        } else if let length = headers["content-length"].flatMap(Int.init), length <= body.count {
            body = Array(body.prefix(length))
        }
        return Response(status: status, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) throws(RenewalRefused) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let lineEnd = (index..<(bytes.count - 1)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                  let size = Int(String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16)
            else { throw RenewalRefused(status: 0, code: "malformed-response") }
            if size == 0 { break }
            let start = lineEnd + 2
            guard start + size <= bytes.count else { throw RenewalRefused(status: 0, code: "malformed-response") }
            output += bytes[start..<(start + size)]
            index = start + size + 2
        }
        return output
    }
}
