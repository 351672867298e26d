import Foundation
import GnuTLS

/// One answer of the gateway: the status and the body.
public struct SeedResponse: Sendable {
    /// The HTTP status.
    public let status: Int
    /// The body.
    public let body: [UInt8]

    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object (empty when it is not one).
    public var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]) ?? [:]
    }

    /// The problem document's code, when the body is one.
    public var code: String? { object["code"] as? String }
}

/// Where a seed connection goes and with which certificate: a listener of the running platform,
/// the CA bundle that verifies the gateway, and a client certificate chain and key (PEM files).
public struct SeedEndpoint: Sendable, Hashable {
    /// The host (an IP address or a name the gateway's certificate carries).
    public let host: String
    /// The listener's port.
    public let port: Int
    /// The CA bundle file.
    public let trustBundle: String
    /// The client certificate chain file (a workstation's; on the pupils' listener, which asks
    /// for none, it is never sent).
    public let certificate: String
    /// The client key file.
    public let key: String

    /// Names everything; nothing is read yet.
    public init(host: String, port: Int, trustBundle: String, certificate: String, key: String) {
        self.host = host
        self.port = port
        self.trustBundle = trustBundle
        self.certificate = certificate
        self.key = key
    }
}

/// A blocking HTTP/1.1 client over one mutual-TLS connection (GnuTLS, ``TLSClientConnection``)
/// that keeps the connection for the next request, and opens a new one when the gateway has
/// closed it: what the seed uses to talk to a running `bilet serve` as any client would.
///
/// Not thread-safe; one per task.
public final class SeedConnection {
    /// Where it goes.
    public let endpoint: SeedEndpoint
    private var connection: TLSClientConnection?
    private var buffered: [UInt8] = []
    private let trusted: [UInt8]
    private let chain: [UInt8]
    private let key: [UInt8]

    /// Reads the certificate files; connects at the first request.
    public init(_ endpoint: SeedEndpoint) throws(DevSeedError) {
        self.endpoint = endpoint
        func read(_ path: String) throws(DevSeedError) -> [UInt8] {
            guard let data = FileManager.default.contents(atPath: path) else { throw DevSeedError(.fileUnreadable, path) }
            return Array(data)
        }
        self.trusted = try read(endpoint.trustBundle)
        self.chain = try read(endpoint.certificate)
        self.key = try read(endpoint.key)
    }

    /// Sends `method` `path` with `bearer` and a body of `contentType`; the answer.
    ///
    /// A request whose connection turns out closed before any answer byte arrived is sent once
    /// more on a new connection (the gateway closes idle keep-alive connections; it answers every
    /// request it has read).
    public func send(
        _ method: String, _ path: String, bearer: String? = nil, body: [UInt8]? = nil, contentType: String = "application/json"
    ) throws(DevSeedError) -> SeedResponse {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(endpoint.host)\r\nAccept: application/json\r\n"
        if let bearer { head += "Authorization: Bearer \(bearer)\r\n" }
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" } else { head += "Content-Length: 0\r\n" }
        head += "\r\n"
        let request = Array(head.utf8) + (body ?? [])
        for attempt in 0..<2 {
            let fresh = connection == nil
            let current = try open()
            do {
                try current.send(request)
                if let response = try readResponse(current) { return response }
            } catch {
                if attempt == 1 || fresh { throw DevSeedError(.transport, "\(method) \(path): \(error)") }
            }
            close()
            if fresh { throw DevSeedError(.transport, "\(method) \(path): the gateway closed the connection without an answer") }
        }
        throw DevSeedError(.transport, "\(method) \(path): no answer")
    }

    /// `send` with a JSON body given as text.
    public func json(_ method: String, _ path: String, bearer: String? = nil, _ body: String? = nil) throws(DevSeedError) -> SeedResponse {
        try send(method, path, bearer: bearer, body: body.map { Array($0.utf8) })
    }

    /// Closes the connection (a new request opens another).
    public func close() {
        connection?.sendCloseNotify()
        connection = nil
        buffered = []
    }

    private func open() throws(DevSeedError) -> TLSClientConnection {
        if let connection { return connection }
        do {
            let opened = try TLSClientConnection(
                host: endpoint.host, port: endpoint.port, trustedAuthoritiesPEM: trusted, certificateChainPEM: chain, privateKeyPEM: key,
                timeoutSeconds: 120)
            connection = opened
            buffered = []
            return opened
        } catch {
            throw DevSeedError(.transport, "connecting to \(endpoint.host):\(endpoint.port) with \(endpoint.certificate): \(error)")
        }
    }

    /// One response: nil when the connection was closed before any byte of it.
    private func readResponse(_ connection: TLSClientConnection) throws -> SeedResponse? {
        let separator: [UInt8] = [13, 10, 13, 10]
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find(separator, in: buffered)
            if headEnd != nil { break }
            let more = try connection.receiveSome()
            if more.isEmpty {
                if buffered.isEmpty { return nil }
                throw DevSeedError(.transport, "the answer was cut off")
            }
            buffered += more
        }
        guard let headEnd else { return nil }
        let head = String(decoding: buffered[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw DevSeedError(.transport, "a malformed answer") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        buffered.removeFirst(headEnd + 4)
        var body: [UInt8] = []
        if status == 204 || status == 304 || (100..<200).contains(status) {
            // no body, whatever the headers say
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                var lineEnd = Self.find([13, 10], in: buffered)
                while lineEnd == nil {
                    let more = try connection.receiveSome()
                    if more.isEmpty { throw DevSeedError(.transport, "the chunked answer was cut off") }
                    buffered += more
                    lineEnd = Self.find([13, 10], in: buffered)
                }
                let sizeText = String(decoding: buffered[..<lineEnd!], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw DevSeedError(.transport, "a malformed chunk")
                }
                let needed = lineEnd! + 2 + size + 2
                while buffered.count < needed {
                    let more = try connection.receiveSome()
                    if more.isEmpty { throw DevSeedError(.transport, "the chunked answer was cut off") }
                    buffered += more
                }
                body += buffered[(lineEnd! + 2)..<(lineEnd! + 2 + size)]
                buffered.removeFirst(needed)
                if size == 0 { break }
            }
        } else if let length = headers["content-length"].flatMap(Int.init) {
            while buffered.count < length {
                let more = try connection.receiveSome()
                if more.isEmpty { throw DevSeedError(.transport, "the answer was cut off") }
                buffered += more
            }
            body = Array(buffered[..<length])
            buffered.removeFirst(length)
        } else {
            while true {
                let more = try connection.receiveSome()
                if more.isEmpty { break }
                buffered += more
            }
            body = buffered
            buffered = []
            close()
        }
        if headers["connection"]?.lowercased() == "close" { close() }
        return SeedResponse(status: status, body: body)
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = 0
        while index + needle.count <= haystack.count {
            if haystack[index] == needle[0] && Array(haystack[index..<(index + needle.count)]) == needle { return index }
            index += 1
        }
        return nil
    }
}
