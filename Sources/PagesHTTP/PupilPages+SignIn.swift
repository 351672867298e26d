import Accounts
import AccountsHTTP
import Gateway
import HTTPTypes
import Hummingbird
import Pages

extension PupilPages {
    /// The pupil's sign-in (`GET|POST /app/pupil/sign-in`, ``PupilAccounts/login(_:password:address:)``
    /// as `POST /v1/pupil/sessions`) and activation (`GET|POST /app/pupil/activate`,
    /// ``PupilAccounts/activate(code:login:password:address:)`` as `POST /v1/pupil/activate`), only
    /// on the pupils' listener (``PupilListenerOnlyMiddleware``: with a client certificate `404`).
    ///
    /// There is no session yet, so each form's CSRF token is bound to the pre-session cookie
    /// (``PreSession``, 32 random bytes) its page sets: the post must come with that cookie and
    /// the token made for it. A refused sign-in is `401` with the form again, one sentence for every
    /// cause, as the API's one `login-failed`; a refused activation `401` likewise.
    static func addSignIn(to router: Router<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        /// The form page `template` with a token for the browser's pre-session (a new one when it has none).
        @Sendable func form(_ template: PageTemplate, _ request: Request, status: HTTPResponse.Status, values: [String: Any]) throws -> Response {
            let held = try PreSession.held(by: request)
            let frame = try kit.pupilFrame(nil, binding: CSRFTokens.binding(preSession: held.value))
            return PageKit.html(status, try kit.renderer.render(template, frame: frame, values: values), headers: held.setCookie)
        }
        let csrf = CSRFMiddleware(
            tokens: kit.csrf, requestBinding: { request, _ in PreSession.value(of: request).map { CSRFTokens.binding(preSession: $0) } },
            refused: { _ in kit.pupilErrorPage(.forbidden, PageMessages.byCode["csrf-failed"]!, pupil: nil, back: "/app/pupil/sign-in") })
        /// The form page `template` at `path` (pupils' listener only); the group its post goes to.
        func formRoute(_ path: String, _ template: PageTemplate) -> RouterGroup<BiletRequestContext> {
            let group = router.group(RouterPath(path)).add(middleware: PupilListenerOnlyMiddleware())
            group.get { request, _ -> Response in
                try form(template, request, status: .ok, values: ["login": ""])
            }
            return group.add(middleware: csrf)
        }

        formRoute("/app/pupil/sign-in", .pupilSignIn).post { request, context -> Response in
            let values = try await CSRFMiddleware.form(request)
            let login = values["login"] ?? ""
            let opened: OpenedSession
            do throws(AccountsError) {
                opened = try await dependencies.accounts.login(login, password: values["password"] ?? "", address: context.clientAddress)
            } catch where error.code == .loginFailed {
                return try form(
                    .pupilSignIn, request, status: .unauthorized,
                    values: ["login": login, "message": "Вход не выполнен: неверный логин или пароль, либо учётная запись ещё не активирована."])
            } catch {
                return kit.pupilErrorPage(error.problem, pupil: nil, back: "/app/pupil/sign-in")
            }
            // a session this browser still held ends: one browser, one live session
            if let previous = request.cookies[PupilSessionMiddleware.pageSessionCookie]?.value, !previous.isEmpty,
                let held = try? await dependencies.accounts.resolve(token: previous)
            {
                try? await dependencies.accounts.logout(held)
                await dependencies.signedOut(held)
            }
            var headers = setSession(opened.token.text)
            headers.append(contentsOf: PreSession.clear)
            return PageKit.redirect("/app/pupil/home", headers: headers)
        }

        formRoute("/app/pupil/activate", .pupilActivate).post { request, context -> Response in
            let values = try await CSRFMiddleware.form(request)
            let login = values["login"] ?? ""
            let password = values["password"] ?? ""
            guard password == values["password_again"] else {
                return try form(
                    .pupilActivate, request, status: .unprocessableContent,
                    values: ["login": login, "passwordMessage": "Пароли не совпадают. Введите один и тот же пароль дважды."])
            }
            do throws(AccountsError) {
                try await dependencies.accounts.activate(
                    code: values["activation_code"] ?? "", login: login, password: password, address: context.clientAddress)
            } catch where [.activationFailed, .invalidArgument, .loginTaken].contains(error.code) {
                let message =
                    switch error.code {
                    case .invalidArgument:
                        "Логин или пароль не подходят: логин — от 1 до 128 латинских букв, цифр и знаков . _ @ -, пароль — не короче 12 символов."
                    case .loginTaken: "Этот логин уже занят. Выберите другой."
                    default: "Активация не выполнена: проверьте код активации, который выдала школа."
                    }
                return try form(.pupilActivate, request, status: error.problem.status, values: ["login": login, "message": message])
            } catch {
                return kit.pupilErrorPage(error.problem, pupil: nil, back: "/app/pupil/activate")
            }
            return try form(.pupilActivated, request, status: .ok, values: [:])
        }
    }
}
