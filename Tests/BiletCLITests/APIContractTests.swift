import APIContract
import CertificatesHTTP
import Foundation
import Gateway
import Logging
import Policy
import PostgreSQL
import Storage
import Testing
import VaultDoor
@testable import Platform

/// The API contract and the router agree: every route `bilet serve`'s gateway registers is in
/// `openapi.yaml`, and every operation the document describes is served, except those tagged
/// `pending` (specified, not built yet), which must not be served while still tagged.
///
/// The router is built the way `bilet serve` builds it (``PlatformRoutes``), with every route group
/// set: the first test fails when a group is added to ``PlatformRoutes`` and not to ``platform()``.
@Suite struct APIContractTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The platform's routes with every group; the pools are never connected (nothing is served).
    static func platform() throws -> (routes: PlatformRoutes, pools: [PostgresConnectionPool]) {
        var routes = PlatformRoutes()
        routes.certificateRenewal = { _ throws(CertificateRoutes.RenewalRefusal) in
            throw CertificateRoutes.RenewalRefusal(status: .serviceUnavailable, code: "ca-unavailable", title: "Not in this test.")
        }
        routes.certificateInventory = CertificateInventoryRoutes.Desk(
            list: { _ throws(Problem) in throw Problem(.serviceUnavailable, code: "ca-unavailable", title: "Not in this test.") },
            revoke: { (_, _, _) throws(Problem) in throw Problem(.serviceUnavailable, code: "ca-unavailable", title: "Not in this test.") })
        let database = ComponentDatabase(base: PostgresConfiguration(connectionString: "host=/nonexistent dbname=bilet"))
        let policies = try PolicyStore(directory: repository.appendingPathComponent("policies").path, hasher: SHA256VersionHasher())
        let staff = try StaffServices.make(
            attemptedAccountHash: { _ in nil }, policies: policies, database: database, logger: Logger(label: "bilet.test.contract"))
        routes.staff = staff.routes
        routes.vaultDoor = VaultDoorClient(socketPath: "/nonexistent/door.sock")
        return (routes, staff.pools)
    }

    /// What the document says of one operation: whether it is tagged `pending`, and the response
    /// codes it documents.
    struct DocumentedOperation {
        var pending = false
        var statuses: Set<String> = []
    }

    /// The document's operations by `METHOD /path`.
    ///
    /// Reads the document's fixed layout (paths at two spaces, methods at four, `tags:` and
    /// `responses:` at six, response codes at eight); Schemathesis (`scripts/contract-test`) reads
    /// it as YAML and validates it as OpenAPI.
    static func operations(_ text: String) -> [String: DocumentedOperation] {
        let methods: Set<String> = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var operations: [String: DocumentedOperation] = [:]
        var inPaths = false
        var path: String?
        var operation: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty {
                inPaths = line == "paths:"
                continue
            }
            guard inPaths else { continue }
            if line.hasPrefix("  /"), !line.hasPrefix("   "), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
                operation = nil
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":"), let path {
                let key = String(line.dropFirst(4).dropLast())
                operation = methods.contains(key) ? "\(key.uppercased()) \(path)" : nil
                if let operation { operations[operation] = DocumentedOperation() }
            } else if let operation, line.hasPrefix("      tags:") {
                if line.contains("pending") { operations[operation]?.pending = true }
            } else if let operation, line.hasPrefix("        \""), !line.hasPrefix("         ") {
                let code = line.dropFirst(9).prefix(while: { $0 != "\"" })
                if code.count == 3, code.allSatisfy(\.isNumber) { operations[operation]?.statuses.insert(String(code)) }
            }
        }
        return operations
    }

    /// The operations of the document, as `METHOD /path`, and those tagged `pending`.
    static func documentedOperations(_ text: String) -> (all: Set<String>, pending: Set<String>) {
        let operations = Self.operations(text)
        return (Set(operations.keys), Set(operations.filter(\.value.pending).keys))
    }

    @Test("the contract test builds the router with every route group of PlatformRoutes")
    func everyGroupIsBuilt() async throws {
        let (routes, pools) = try Self.platform()
        for pool in pools { await pool.shutdown() }
        let unset = Mirror(reflecting: routes).children.filter { child in
            let value = Mirror(reflecting: child.value)
            return value.displayStyle == .optional && value.children.isEmpty
        }.compactMap(\.label)
        #expect(unset == [], "set these groups in APIContractTests.platform()")
    }

    @Test("every served route is documented, every documented route is served (pending ones aside)")
    func documentAndRouterAgree() async throws {
        let (routes, pools) = try Self.platform()
        // The pages (`/app/…`, docs/PAGES.md) are not the API: they are not in the contract.
        let served = Set(RouteTable(try routes.makeRouter()).routes.filter { !$0.path.hasPrefix("/app/") }.map(\.description))
        for pool in pools { await pool.shutdown() }
        let document = try #require(OpenAPIDocument.text)
        let (documented, pending) = Self.documentedOperations(document)

        #expect(documented.count > 40, "the document's layout was not read")
        #expect(served.contains("GET /v1/openapi.yaml"))
        #expect(served.subtracting(documented).sorted() == [], "served, not in openapi.yaml")
        #expect(documented.subtracting(pending).subtracting(served).sorted() == [], "in openapi.yaml, not served")
        #expect(pending.intersection(served).sorted() == [], "served now: remove the `pending` tag")
    }

    /// Every request on the pupils' listener passes `PupilRateLimitMiddleware` before routing, so
    /// each of the pupils' own operations can answer 429 and must say so (Schemathesis's ST103
    /// found three that did not).
    @Test("every operation of the pupils' own routes documents 429")
    func pupilOperationsDocumentRateLimit() throws {
        let document = try #require(OpenAPIDocument.text)
        let pupils = Self.operations(document).filter { $0.key.contains(" /v1/pupil/") }
        #expect(pupils.count >= 10, "the document's responses were not read")
        #expect(pupils.filter { !$0.value.statuses.contains("429") }.keys.sorted() == [], "add 429 rate-limited")
    }

    @Test("the layout reader finds operations and pending tags, and nothing outside paths")
    func layoutReader() {
        let text = """
            openapi: 3.1.0
            paths:
              /a/{id}:
                get:
                  tags: [x]
                post:
                  tags: [x, pending]
              /b:
                delete:
                  summary: get
            components:
              schemas:
                get:
                  type: object
            """
        let (all, pending) = Self.documentedOperations(text)
        #expect(all == ["GET /a/{id}", "POST /a/{id}", "DELETE /b"])
        #expect(pending == ["POST /a/{id}"])
    }
}
