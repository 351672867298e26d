import APIContract
import Foundation
import Gateway
import Hummingbird
import TLS
import TLSTestSupport
import Testing

/// What every answer of the gateway gets, whichever route (or none) answered: the security
/// headers, problem documents with stable codes for 404, 405, 413 and 415 and for errors routes
/// throw, and the API contract at `/v1/openapi.yaml`. Through real TLS and curl.
@Suite(.serialized) struct PlumbingTests {
    /// An answer as curl saw it: status, headers (names lowercased) and body.
    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: String

        init(_ result: ToolResult) {
            // curl -i: the head, a blank line, the body; then "\n<code>" from -w
            let (text, code) = split(result)
            status = Int(code) ?? 0
            var headers: [String: String] = [:]
            var body = ""
            if let end = text.range(of: "\r\n\r\n") {
                for line in text[..<end.lowerBound].split(separator: "\r\n").dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                body = String(text[end.upperBound...])
            }
            self.headers = headers
            self.body = body
        }

        /// The security headers every answer must carry, as a list of what is wrong.
        var securityHeaderProblems: [String] {
            let expected = [
                "strict-transport-security": "max-age=63072000; includeSubDomains", "x-content-type-options": "nosniff",
                "content-security-policy": "default-src 'none'; frame-ancestors 'none'", "referrer-policy": "no-referrer",
                "x-frame-options": "DENY",
            ]
            var problems = expected.compactMap { name, value in headers[name] == value ? nil : "\(name): \(headers[name] ?? "missing")" }
            if headers["cache-control"] == nil { problems.append("cache-control missing") }
            return problems.sorted()
        }

        /// The problem document's code, if the answer is one.
        var problemCode: String? {
            guard headers["content-type"] == "application/problem+json",
                let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                object["status"] as? Int == status, object["title"] is String, object["type"] as? String == "about:blank"
            else { return nil }
            return object["code"] as? String
        }
    }

    /// A component error that knows its own answer, as components' errors do.
    struct Refusal: HTTPProblemConvertible {
        var problem: Problem { Problem(.conflict, code: "test-refusal", title: "Refused for the test.") }
    }

    struct Unexpected: Error {}

    static func router() -> Router<BiletRequestContext> {
        let router = Gateway.makeRouter()
        router.post("/test/echo") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1024)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        router.get("/test/refusal") { _, _ -> Response in throw Refusal() }
        router.get("/test/unexpected") { _, _ -> Response in throw Unexpected() }
        router.get("/test/cached") { _, _ -> Response in
            Response(status: .ok, headers: [.cacheControl: "max-age=60"])
        }
        router.get("/test/items/{item}") { _, _ -> Response in Response(status: .noContent) }
        for path in ["/test/page-policy", "/app/test-page"] {
            router.get(RouterPath(path)) { _, _ -> Response in
                Response(status: .ok, headers: [.contentSecurityPolicy: SecurityHeaders.pageContentSecurityPolicy])
            }
        }
        router.post("/test/items/special") { _, _ -> Response in Response(status: .noContent) }
        return router
    }

    static func start(bodyLimit: Int = 1024 * 1024) async throws -> GatewayHarness<TestPKI> {
        try await GatewayHarness.start(
            listeners: [
                TLSListenerConfiguration(
                    name: "workstations", host: "127.0.0.1", port: 0, clientAuthentication: .optional,
                    limits: ListenerLimits(maximumBodyBytes: bodyLimit))
            ],
            router: router())
    }

    static func ask(_ harness: GatewayHarness<TestPKI>, _ path: String, client: TestPKI.Client? = .school, _ extra: [String] = [])
        async throws -> Answer
    {
        Answer(try await harness.curl("workstations", client, path: path, extra: ["-i"] + extra))
    }

    /// Over HTTP/1.1 and HTTP/2 alike; the HTTP/1 parser's 400 exists over HTTP/1.1 only (HTTP/2
    /// refuses an oversized header list in the protocol, HTTP2Tests).
    @Test(
        "200, 400, 401, 404, 405, 413, 415, a thrown problem and an unexpected error all carry the security headers",
        arguments: ["--http1.1", "--http2"])
    func everyAnswerCarriesTheSecurityHeaders(version: String) async throws {
        let harness = try await Self.start(bodyLimit: 1024)
        let body = harness.workDirectory.appendingPathComponent("big.json").path
        try Data(repeating: 0x20, count: 10_000).write(to: URL(fileURLWithPath: body))
        let answers: [(String, Int, String?, Answer)] = [
            ("200", 200, nil, try await Self.ask(harness, "/v1/whoami", [version])),
            ("401", 401, "no-client-certificate", try await Self.ask(harness, "/v1/whoami", client: nil, [version])),
            ("404", 404, "route-not-found", try await Self.ask(harness, "/v1/nothing-here", [version])),
            ("405", 405, "method-not-allowed", try await Self.ask(harness, "/v1/whoami", [version, "-X", "DELETE"])),
            (
                "413", 413, "body-too-large",
                try await Self.ask(harness, "/test/echo", [version, "-H", "Content-Type: application/json", "--data-binary", "@\(body)"])
            ),
            ("415", 415, "unsupported-media-type", try await Self.ask(harness, "/test/echo", [version, "--data", "a=b"])),
            ("409", 409, "test-refusal", try await Self.ask(harness, "/test/refusal", [version])),
            (
                "400 from the HTTP parser", 400, "malformed-request",
                try await Self.ask(harness, "/v1/whoami", ["--http1.1", "-H", "X-Padding: " + String(repeating: "a", count: 40_000)])
            ),
            ("500", 500, "internal-error", try await Self.ask(harness, "/test/unexpected", [version])),
        ]
        await harness.stop()
        for (name, status, code, answer) in answers {
            #expect(answer.status == status, "\(name): \(answer.status) \(answer.body)")
            #expect(answer.securityHeaderProblems == [], "\(name)")
            #expect(answer.headers["cache-control"] == "no-store", "\(name)")
            if let code { #expect(answer.problemCode == code, "\(name): \(answer.body)") }
        }
    }

    @Test("an unknown route is 404 route-not-found, a path served with another method 405 with Allow")
    func unknownRoutesAndMethods() async throws {
        let harness = try await Self.start()
        let unknown = try await Self.ask(harness, "/v1/pupils/sub_x/nothing")
        let root = try await Self.ask(harness, "/")
        let captured = try await Self.ask(harness, "/test/items/42")
        let capturedWrongMethod = try await Self.ask(harness, "/test/items/42", ["-X", "PUT", "-H", "Content-Type: application/json"])
        let head = try await Self.ask(harness, "/healthz", ["-I"])
        // The literal path wins over the capture, as in Hummingbird's router: GET is not served there.
        let literal = try await Self.ask(harness, "/test/items/special")
        await harness.stop()
        #expect(unknown.status == 404)
        #expect(unknown.body == #"{"code":"route-not-found","status":404,"title":"No route serves this path.","type":"about:blank"}"#)
        #expect(root.problemCode == "route-not-found")
        #expect(captured.status == 204)
        #expect(capturedWrongMethod.status == 405)
        #expect(capturedWrongMethod.problemCode == "method-not-allowed")
        #expect(capturedWrongMethod.headers["allow"] == "GET")
        #expect(head.status == 405)
        #expect(head.headers["allow"] == "GET")
        #expect(literal.status == 405)
        #expect(literal.headers["allow"] == "POST")
    }

    @Test("state-changing requests with a form, plain text or undeclared body are 415 before the route; JSON reaches it")
    func crossSiteBodiesAreRefused() async throws {
        let harness = try await Self.start()
        let form = try await Self.ask(harness, "/test/echo", ["--data", "a=b"])
        let multipart = try await Self.ask(harness, "/test/echo", ["-F", "a=b"])
        let text = try await Self.ask(harness, "/test/echo", ["-H", "Content-Type: text/plain;charset=UTF-8", "--data", "{}"])
        let undeclared = try await Self.ask(harness, "/test/echo", ["-H", "Content-Type:", "--data", "{}"])
        let json = try await Self.ask(harness, "/test/echo", ["-H", "Content-Type: application/json", "--data", "{}"])
        let empty = try await Self.ask(harness, "/test/echo", ["-X", "POST"])
        await harness.stop()
        for answer in [form, multipart, text, undeclared] {
            #expect(answer.status == 415, "\(answer.body)")
            #expect(answer.problemCode == "unsupported-media-type")
        }
        #expect(json.status == 200)
        #expect(json.body == "{}")
        #expect(empty.status == 200)
    }

    @Test("a route's own Cache-Control is kept; every other answer is no-store")
    func cacheControl() async throws {
        let harness = try await Self.start()
        let cached = try await Self.ask(harness, "/test/cached")
        let health = try await Self.ask(harness, "/healthz")
        await harness.stop()
        #expect(cached.headers["cache-control"] == "max-age=60")
        #expect(cached.securityHeaderProblems == [])
        #expect(health.headers["cache-control"] == "no-store")
    }

    @Test("the page's Content-Security-Policy is kept under /app/ only; on any other path the fixed policy replaces it")
    func pagePolicyOnlyOnPages() async throws {
        let harness = try await Self.start()
        let elsewhere = try await Self.ask(harness, "/test/page-policy")
        let page = try await Self.ask(harness, "/app/test-page")
        await harness.stop()
        #expect(elsewhere.status == 200)
        #expect(elsewhere.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'")
        #expect(page.headers["content-security-policy"] == SecurityHeaders.pageContentSecurityPolicy)
    }

    @Test("GET /v1/openapi.yaml serves the contract, the same text as the APIContract resource")
    func servesTheContract() async throws {
        let harness = try await Self.start()
        let answer = try await Self.ask(harness, "/v1/openapi.yaml")
        await harness.stop()
        let document = try #require(OpenAPIDocument.text)
        #expect(answer.status == 200)
        #expect(answer.headers["content-type"] == "application/yaml")
        #expect(answer.body == document)
        #expect(document.hasPrefix("openapi: 3.1"))
        #expect(answer.securityHeaderProblems == [])
    }
}
