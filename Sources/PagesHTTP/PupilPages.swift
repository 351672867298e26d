public import Accounts
public import AssessmentHTTP
public import AuditHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages
public import RecommendationsHTTP
public import TrialsHTTP
public import VaultDoor
import VaultHTTP

/// The pupils' pages under `/app/pupil/`, on the pupils' listener (no client certificate; made for
/// a phone's screen), one file each: signing in and activating the account
/// (`PupilPages+SignIn.swift`), tests (`+Tests`), recommendations (`+Recommendations`), events
/// (`+Events`) and "who has accessed my data" with its proofs (`+Accesses`). Each calls what the pupil's JSON route calls
/// (``PupilAccounts``, the assessment store with the session's own token, ``RecommendationsDesk``,
/// ``PupilAccessDesk``), so the vault and the policy decide, check and audit as for the API.
///
/// The session is the one `POST /v1/pupil/sessions` opens, carried in the cookie
/// ``PupilSessionMiddleware/pageSessionCookie`` (never the staff's); forms before it (sign-in,
/// activation) carry a CSRF token bound to the pre-session cookie (``PreSession``).
public enum PupilPages {
    /// What the pupils' pages need: the same services as the pupils' JSON routes.
    public struct Dependencies: Sendable {
        public let accounts: PupilAccounts
        /// The assessment routes' dependencies (the store, the door, the session token cache).
        public let assessment: AssessmentRoutes.Dependencies
        public let recommendations: RecommendationsDesk
        public let accesses: PupilAccessDesk
        /// Told of each session ended by signing out (the gateway forgets what it cached for it).
        public let signedOut: @Sendable (PupilSession) async -> Void
        /// The trials desk and the vault's door, for the pupil's events (`GET /app/pupil/events`);
        /// without them the page is not served.
        public var trials: TrialsDesk?
        public var door: VaultDoorClient?

        public init(
            accounts: PupilAccounts, assessment: AssessmentRoutes.Dependencies, recommendations: RecommendationsDesk,
            accesses: PupilAccessDesk, signedOut: @escaping @Sendable (PupilSession) async -> Void
        ) {
            self.accounts = accounts
            self.assessment = assessment
            self.recommendations = recommendations
            self.accesses = accesses
            self.signedOut = signedOut
        }
    }

    /// The cookies' attributes (as the staff's, ``PageSession/attributes``).
    static let attributes = PageSession.attributes

    /// `Set-Cookie` carrying the pupil session's `token`.
    static func setSession(_ token: String) -> HTTPFields {
        [.setCookie: "\(PupilSessionMiddleware.pageSessionCookie)=\(token); \(attributes)"]
    }

    /// `Set-Cookie` removing the pupil session cookie.
    static let clearSession: HTTPFields = [.setCookie: "\(PupilSessionMiddleware.pageSessionCookie)=; Max-Age=0; \(attributes)"]

    /// Adds the pupils' pages to `router`.
    static func add(to router: Router<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        addSignIn(to: router, kit, dependencies)
        let session = PupilSessionMiddleware(
            accounts: dependencies.accounts,
            credential: .pageCookie { refusal in
                switch refusal {
                case .sessionMissing: PageKit.redirect("/app/pupil/sign-in")
                case .sessionRequired: PageKit.redirect("/app/pupil/sign-in", headers: clearSession)
                case .unavailable(let problem): kit.pupilErrorPage(problem, pupil: nil, back: "/app/pupil/sign-in")
                }
            })
        // Signing out takes no CSRF token, as the staff's: a stale token must not keep a session
        // live, and the SameSite=Strict cookie never comes with another site's form.
        router.group("/app/pupil/sign-out").add(middleware: session).post { _, context -> Response in
            let pupil = try context.requirePupil()
            do throws(AccountsError) {
                try await dependencies.accounts.logout(pupil)
            } catch {
                return kit.pupilErrorPage(error.problem, pupil: pupil)
            }
            await dependencies.signedOut(pupil)
            return PageKit.redirect("/app/pupil/sign-in", headers: clearSession)
        }
        let pages = router.group("/app/pupil")
            .add(middleware: session)
            .add(
                middleware: CSRFMiddleware(
                    tokens: kit.csrf, binding: { $0.pupil.map { CSRFTokens.binding(pupilSession: $0.sessionID) } },
                    refused: { kit.pupilErrorPage(.forbidden, PageMessages.byCode["csrf-failed"]!, pupil: $0.pupil) }))
        pages.get("home") { _, context -> Response in
            let pupil = try context.requirePupil()
            return try kit.pupilPage(.pupilHome, pupil: pupil, values: ["expires": RussianFormat.dateTime(pupil.expiresAt)])
        }
        addTests(to: pages, kit, dependencies)
        addRecommendations(to: pages, kit, dependencies)
        addAccesses(to: pages, kit, dependencies)
        if let trials = dependencies.trials, let door = dependencies.door { addEvents(to: pages, kit, trials: trials, door: door) }
    }
}

extension PageKit {
    /// The layout's frame for a signed-in `pupil` (the pupil's menu), or signed out, with the CSRF
    /// token of `binding`.
    func pupilFrame(_ pupil: PupilSession?, binding: String) throws(PagesError) -> PageFrame {
        var frame = PageFrame(stylesheet: assets.stylesheetPath, csrf: try csrf.token(for: binding))
        frame.pupil = pupil != nil
        return frame
    }

    /// The page `template` for the signed-in `pupil`, answered with `status`.
    func pupilPage(
        _ template: PageTemplate, status: HTTPResponse.Status = .ok, pupil: PupilSession, values: [String: Any] = [:], headers: HTTPFields = [:]
    ) throws(PagesError) -> Response {
        let frame = try pupilFrame(pupil, binding: CSRFTokens.binding(pupilSession: pupil.sessionID))
        return Self.html(status, try renderer.render(template, frame: frame, values: values), headers: headers)
    }

    /// The error page for a pupil (signed in when `pupil` is given): `status`, `message`, a link `back`.
    func pupilErrorPage(_ status: HTTPResponse.Status, _ message: String, pupil: PupilSession?, back: String = "/app/pupil/home") -> Response {
        let binding = pupil.map { CSRFTokens.binding(pupilSession: $0.sessionID) } ?? "error"
        return errorPage(status, message, frame: try? pupilFrame(pupil, binding: binding), back: back)
    }

    /// The error page of `problem` for a pupil.
    func pupilErrorPage(_ problem: Problem, pupil: PupilSession?, back: String = "/app/pupil/home") -> Response {
        pupilErrorPage(problem.status, PageMessages.message(for: problem), pupil: pupil, back: back)
    }
}
