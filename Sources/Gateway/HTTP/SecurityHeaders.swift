public import HTTPTypes

/// The headers every answer of the gateway carries, errors, 404s and the listener's own `413`
/// included.
///
/// - `Strict-Transport-Security`: the gateway speaks TLS only; a browser never tries plain HTTP.
/// - `X-Content-Type-Options: nosniff`: a body is only ever what its type says.
/// - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: an answer opened in a
///   browser runs nothing, loads nothing and cannot be framed.
/// - `Referrer-Policy: no-referrer`, `X-Frame-Options: DENY` (for browsers without CSP 2).
/// - `Cache-Control: no-store` unless the route chose its own: answers may carry personal data
///   and must not be kept by a browser or a proxy.
public enum SecurityHeaders {
    /// The fixed headers, replacing whatever a route set.
    public static let fixed: HTTPFields = [
        .strictTransportSecurity: "max-age=63072000; includeSubDomains",
        .xContentTypeOptions: "nosniff",
        .contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
        .referrerPolicy: "no-referrer",
        .xFrameOptions: "DENY",
    ]

    /// `Cache-Control` when the route set none.
    public static let defaultCacheControl = "no-store"

    /// The names of ``fixed``.
    static let fixedNames: [HTTPField.Name] = fixed.map(\.name)

    /// `Cache-Control: no-store`.
    static let defaultCacheControlField = HTTPField(name: .cacheControl, value: defaultCacheControl)

    /// Adds the headers to `fields`.
    ///
    /// Every answer passes here, so it reads the fields once and, in the usual case where none of
    /// the fixed names is set yet, appends them without a lookup per name.
    public static func apply(to fields: inout HTTPFields) {
        var hasCacheControl = false
        var hasFixedName = false
        for field in fields {
            if field.name == .cacheControl {
                hasCacheControl = true
            } else if !hasFixedName, fixedNames.contains(field.name) {
                hasFixedName = true
            }
        }
        if hasFixedName {
            for name in fixedNames { fields[name] = nil }
        }
        fields.append(contentsOf: fixed)
        if !hasCacheControl { fields.append(defaultCacheControlField) }
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
