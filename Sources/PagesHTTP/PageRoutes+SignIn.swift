import Accounts
import Gateway
import HTTPTypes
import Hummingbird
import Identity
import Pages

extension PageRoutes {
    /// The sign-in page and its form. Its CSRF token is bound to the connection's certificate
    /// (there is no session yet), so another site cannot sign a workstation in to its own account.
    static func addSignIn(to router: Router<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        @Sendable func certificate(_ context: BiletRequestContext) -> PresentedCertificate? {
            context.connection.flatMap { PresentedCertificate($0.peer) }
        }
        @Sendable func binding(_ context: BiletRequestContext) -> String? {
            certificate(context).map { CSRFTokens.binding(certificateSerial: $0.serial, principal: $0.principal.uri) }
        }
        @Sendable func signInPage(_ context: BiletRequestContext, status: HTTPResponse.Status, login: String, message: String?) throws -> Response {
            guard let binding = binding(context) else {
                return kit.errorPage(.forbidden, PageMessages.byCode["no-client-certificate"]!, staff: nil, back: "/app/sign-in")
            }
            var values: [String: Any] = ["login": login]
            if let message { values["message"] = message }
            return PageKit.html(status, try kit.renderer.render(.signIn, frame: try kit.frame(nil, binding: binding), values: values))
        }
        router.get("/app/sign-in") { _, context -> Response in
            try signInPage(context, status: .ok, login: "", message: nil)
        }
        router.group("/app/sign-in")
            .add(
                middleware: CSRFMiddleware(
                    tokens: kit.csrf, binding: binding,
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
                        context, status: .unauthorized, login: login,
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
