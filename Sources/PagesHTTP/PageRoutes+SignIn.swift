import Accounts
import Gateway
import HTTPTypes
import Hummingbird
import Identity
import Pages

extension PageRoutes {
    /// The sign-in page and its form. There is no session yet, so its CSRF token is bound to the
    /// connection's certificate and to the browser's pre-session cookie (``PreSession``, set by the
    /// page): another site can get a token for the certificate from a browser of its own on that
    /// workstation, but cannot have the victim's browser post it with the victim's pre-session, so
    /// it cannot sign that browser in to an account of its choosing (login CSRF).
    static func addSignIn(to router: Router<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        @Sendable func certificate(_ context: BiletRequestContext) -> PresentedCertificate? {
            context.connection.flatMap { PresentedCertificate($0.peer) }
        }
        @Sendable func binding(_ context: BiletRequestContext, preSession: String) -> String? {
            certificate(context).map {
                CSRFTokens.binding(certificateSerial: $0.serial, principal: $0.principal.uri) + "|" + CSRFTokens.binding(preSession: preSession)
            }
        }
        @Sendable func signInPage(
            _ request: Request, _ context: BiletRequestContext, status: HTTPResponse.Status, login: String, message: String?
        ) throws -> Response {
            let preSession = try PreSession.held(by: request)
            guard let binding = binding(context, preSession: preSession.value) else {
                return kit.errorPage(.forbidden, PageMessages.byCode["no-client-certificate"]!, staff: nil, back: "/app/sign-in")
            }
            var values: [String: Any] = ["login": login]
            if let message { values["message"] = message }
            return PageKit.html(
                status, try kit.renderer.render(.signIn, frame: try kit.frame(nil, binding: binding), values: values),
                headers: preSession.setCookie)
        }
        router.get("/app/sign-in") { request, context -> Response in
            try signInPage(request, context, status: .ok, login: "", message: nil)
        }
        router.group("/app/sign-in")
            .add(
                middleware: CSRFMiddleware(
                    tokens: kit.csrf,
                    requestBinding: { request, context in PreSession.value(of: request).flatMap { binding(context, preSession: $0) } },
                    refused: { _ in kit.errorPage(.forbidden, PageMessages.byCode["csrf-failed"]!, staff: nil, back: "/app/sign-in") }))
            .post { request, context -> Response in
                guard let certificate = certificate(context) else {
                    return kit.errorPage(.forbidden, PageMessages.byCode["no-client-certificate"]!, staff: nil, back: "/app/sign-in")
                }
                let form = try await CSRFMiddleware.form(request)
                let login = form["login"] ?? ""
                let opened: OpenedSession
                do throws(AccountsError) {
                    opened = try await dependencies.login.login(login, password: form["password"] ?? "", certificate: certificate)
                } catch where error.code == .loginFailed {
                    return try signInPage(
                        request, context, status: .unauthorized, login: login,
                        message: "Вход не выполнен: неверный логин или пароль, либо учётная запись недоступна с этого рабочего места.")
                } catch {
                    return kit.errorPage(error.problem, staff: nil, back: "/app/sign-in")
                }
                // a session this browser still held ends: one browser, one live session
                if let previous = request.cookies[StaffSessionMiddleware.pageSessionCookie]?.value, !previous.isEmpty,
                    let held = try? await dependencies.sessions.resolve(token: previous, certificate: certificate)
                {
                    try? await dependencies.sessions.logout(held)
                }
                return PageKit.redirect("/app/home", headers: PageSession.setCookie(opened.token.text))
            }
    }
}
