import HTTPTypes
import Hummingbird
import Pages

/// The pre-session cookie: a random value (``CSRFTokens/newPreSession()``) that the forms filled in
/// before any session exists (the staff's and the pupils' sign-in, the pupils' activation) bind
/// their CSRF token to (``CSRFTokens/binding(preSession:)``).
///
/// Another site can neither read it (`HttpOnly`), nor have it sent with its own post
/// (`SameSite=Strict`), nor plant one of its own (`__Host-`), so it cannot post a sign-in form
/// with a token of its own and sign the browser in to an account of its choosing (login CSRF).
/// The form's page sets the cookie when the browser has none; the same attributes as the
/// session cookies (``PageSession/attributes``), no `Max-Age`.
enum PreSession {
    /// The cookie's name.
    static let cookie = "__Host-bilet-pre"

    /// The request's pre-session value, when it carries one of the right form.
    static func value(of request: Request) -> String? {
        request.cookies[cookie].map(\.value).flatMap { CSRFTokens.isPreSession($0) ? $0 : nil }
    }

    /// The request's value, or a new one with the `Set-Cookie` that gives it to the browser.
    ///
    /// - Throws: ``PagesError`` when no random value can be made.
    static func held(by request: Request) throws(PagesError) -> (value: String, setCookie: HTTPFields) {
        if let value = value(of: request) { return (value, [:]) }
        let value = try CSRFTokens.newPreSession()
        return (value, [.setCookie: "\(cookie)=\(value); \(PageSession.attributes)"])
    }

    /// `Set-Cookie` removing the cookie (once a session is open).
    static let clear: HTTPFields = [.setCookie: "\(cookie)=; Max-Age=0; \(PageSession.attributes)"]
}
