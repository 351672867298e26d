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
///
/// The one exception to the fixed policy is a page (``pagePathPrefix``): a route may answer with
/// exactly ``pageContentSecurityPolicy``, which lets a page load its own stylesheet and script and
/// post its forms to this origin, and nothing inline; any other policy a route sets is replaced.
/// ``GatewayMiddleware`` removes the page's policy from an answer on any other path, so the API
/// keeps the fixed one whatever a route sets.
public enum SecurityHeaders {
    /// The path prefix of the server-rendered pages (`/app/`): the only paths where a form body,
    /// the page session cookie (``StaffSessionMiddleware/pageSessionCookie``) and
    /// ``pageContentSecurityPolicy`` are accepted. The API (`/v1/…`) never accepts them.
    public static let pagePathPrefix = "/app/"

    /// The Content-Security-Policy of a page: its own origin's stylesheets, scripts and images,
    /// forms posted to its own origin only, never framed, no inline script or style.
    public static let pageContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// Whether `path` is a page's path (under ``pagePathPrefix``).
    public static func isPagePath(_ path: some StringProtocol) -> Bool {
        path.hasPrefix(pagePathPrefix)
    }

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

    /// ``fixed`` with ``pageContentSecurityPolicy``: what a page's answer gets.
    static let pageFixed: HTTPFields = HTTPFields(
        fixed.map { $0.name == .contentSecurityPolicy ? HTTPField(name: .contentSecurityPolicy, value: pageContentSecurityPolicy) : $0 })

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
        var page = false
        for field in fields {
            if field.name == .cacheControl {
                hasCacheControl = true
            } else if field.name == .contentSecurityPolicy {
                hasFixedName = true
                page = field.value == pageContentSecurityPolicy
            } else if !hasFixedName, fixedNames.contains(field.name) {
                hasFixedName = true
            }
        }
        if hasFixedName {
            for name in fixedNames { fields[name] = nil }
        }
        fields.append(contentsOf: page ? pageFixed : fixed)
        if !hasCacheControl { fields.append(defaultCacheControlField) }
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
