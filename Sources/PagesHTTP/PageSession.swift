import Gateway
import HTTPTypes

/// The page session cookie: the staff session's token, as the API's bearer token, in
/// ``StaffSessionMiddleware/pageSessionCookie``.
///
/// `Secure` (TLS only), `HttpOnly` (no script reads it), `SameSite=Strict` (no other site's page
/// sends it), `Path=/` and no `Domain` (the `__Host-` prefix's conditions). No `Max-Age`: the
/// browser forgets it when it closes, and the server ends the session on its own idle and
/// absolute timeouts whatever the browser keeps.
enum PageSession {
    /// The attributes after the value.
    static let attributes = "Path=/; Secure; HttpOnly; SameSite=Strict"

    /// `Set-Cookie` carrying `token`.
    static func setCookie(_ token: String) -> HTTPFields {
        [.setCookie: "\(StaffSessionMiddleware.pageSessionCookie)=\(token); \(attributes)"]
    }

    /// `Set-Cookie` that removes the cookie.
    static let clearCookie: HTTPFields = [.setCookie: "\(StaffSessionMiddleware.pageSessionCookie)=; Max-Age=0; \(attributes)"]
}
