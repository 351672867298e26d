import Foundation

/// bilet's HTTP API contract: one OpenAPI 3.1 document (`openapi.yaml`, a resource of this
/// target), served by the gateway at `GET /v1/openapi.yaml` and checked by the contract tests
/// (every route it documents is served, every route served is documented) and by Schemathesis
/// (`scripts/contract-test`).
public enum OpenAPIDocument {
    /// The document's media type (RFC 9512).
    public static let mediaType = "application/yaml"

    /// The document's text; `nil` only when the resource bundle is missing from an installation.
    public static let text: String? = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml") else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }()
}
