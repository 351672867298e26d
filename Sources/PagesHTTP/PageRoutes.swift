public import Accounts
public import AccountsHTTP
public import AssessmentHTTP
public import AuditHTTP
public import OrganisationsHTTP
public import TrialsHTTP
public import CertificatesHTTP
import Foundation
public import Gateway
import HTTPTypes
public import Hummingbird
import Identity
public import Pages
public import RecommendationsHTTP
public import VaultDoor

/// The server-rendered pages under `/app/` (issue 14), in Russian, over the same services as the
/// API: ``StaffLogin`` and ``StaffSessions`` for signing in and out, `StaffAdministration` for
/// the staff consent, `StaffRoutes.accounts(of:_:)` for the school's navigators, the vault's door
/// (``DoorCalls``) for pupils. No page reads the database
/// itself.
///
/// - `GET /app/static/bilet-<hash>.css`: the stylesheet, cached for a year.
/// - `GET /app/sign-in`, `POST /app/sign-in`: the staff sign-in at a workstation (its certificate is
///   the other factor); success sets the session cookie (``PageSession``) and goes to the home page.
/// - behind the session cookie (``StaffSessionMiddleware`` in its page mode) and the CSRF check
///   (``CSRFMiddleware``): `GET /app/home`, `GET|POST /app/consent` (the staff consent, the only
///   page before it is recorded besides signing out), `POST /app/sign-out`, the school's pages
///   (``SchoolPages``), the compliance officer's (``OfficerPages``), the regional coordinator's
///   (``RegionPages``), the venue's (``VenuePages``), the mentor's (``MentorPages``) and the
///   navigator's (``NavigatorPages``, and the test page ``NavigatorTestPages``).
///
/// No session (or an ended one) goes to the sign-in page, a missing consent to the consent page;
/// a form without its CSRF token is `403` with a page saying so; every refusal of the services is
/// a page in Russian with the API's status.
public enum PageRoutes {
    /// What the pages need: the same services the API's routes are given.
    public struct Dependencies: Sendable {
        public let login: StaffLogin
        public let sessions: StaffSessions
        /// Staff administration as `/v1/staff` has it (the consent, the organisation's accounts).
        public let staff: StaffRoutes.Dependencies
        /// The vault's door; without it the school's pupil pages are not served.
        public let door: VaultDoorClient?
        /// The KPI figures as `GET /v1/kpi` answers them; without it the KPI page is not served.
        public let kpi: KPIDesk?
        /// The audit API's dependencies (`/v1/audit/…`); without them the officer's audit pages
        /// are not served.
        public var audit: AuditRoutes.Dependencies?
        /// The pupils' pages' services; without them the pupils' pages are not served.
        public var pupil: PupilPages.Dependencies?
        /// The organisation registry's routes' dependencies (`/v1/organisations`); without them
        /// the coordinator's list of schools and venues is not served.
        public var organisations: OrganisationRoutes.Dependencies?
        /// The trials routes' dependencies (`/v1/trials/…`); without them the coordinator's,
        /// the venue's and the mentor's event pages are not served.
        public var trials: TrialsRoutes.Dependencies?
        /// The recommendations routes' desk (`/v1/recommendations/…`) and the navigator's own pupils
        /// (`GET /v1/navigators/me/progress`); with ``trials``, the navigator's pages are served, with
        /// ``assessment`` the navigator's test page.
        public var recommendations: RecommendationsDesk?
        public var navigatorProgress: NavigatorProgressDesk?
        /// The assessment API's dependencies (`/v1/assessment/…`); without them the methodologist's
        /// page is not served.
        public var assessment: AssessmentRoutes.Dependencies?
        /// The certificate inventory's dependencies (`/v1/certificates`); without them the security
        /// administrator's pages are not served.
        public var certificates: CertificateInventoryRoutes.Dependencies?

        public init(login: StaffLogin, sessions: StaffSessions, staff: StaffRoutes.Dependencies, door: VaultDoorClient?, kpi: KPIDesk? = nil) {
            self.login = login
            self.sessions = sessions
            self.staff = staff
            self.door = door
            self.kpi = kpi
        }
    }

    /// The page requests a session without the staff consent may make.
    public static let consentExemptions: Set<String> = ["GET /app/consent", "POST /app/consent", "POST /app/sign-out"]

    /// Adds the pages to `router`.
    ///
    /// - Throws: ``PagesError`` when the templates or the stylesheet are missing or broken.
    public static func add(to router: Router<BiletRequestContext>, _ dependencies: Dependencies) throws(PagesError) {
        let kit = try PageKit()
        addStatic(to: router, kit)
        addSignIn(to: router, kit, dependencies)

        let refusedForm: @Sendable (BiletRequestContext) -> Response = { context in
            kit.errorPage(.forbidden, PageMessages.byCode["csrf-failed"]!, staff: context.staff, back: "/app/home")
        }
        let session = StaffSessionMiddleware(
            sessions: dependencies.sessions,
            credential: .pageCookie(consentExemptions: consentExemptions) { refusal in
                switch refusal {
                // the cookie is cleared only when one was presented and refused: a request without
                // it (a link from another site carries no SameSite=Strict cookie) leaves it alone
                case .sessionMissing: PageKit.redirect("/app/sign-in")
                case .sessionRequired: PageKit.redirect("/app/sign-in", headers: PageSession.clearCookie)
                case .consentRequired: PageKit.redirect("/app/consent")
                case .unavailable(let problem): kit.errorPage(problem, staff: nil, back: "/app/sign-in")
                }
            })
        // Signing out takes no CSRF token: a token that went stale (the gateway restarted, the page
        // stayed open) must not leave a session live on a shared workstation, and the session
        // cookie is SameSite=Strict, so another site's form never carries it.
        router.group("/app/sign-out").add(middleware: session).post { _, context -> Response in
            let staff = try context.requireStaff()
            do throws(AccountsError) {
                try await dependencies.sessions.logout(staff)
            } catch {
                // The browser forgets the session all the same: on a shared workstation the next
                // person must not inherit it, and the server ends it at its idle timeout.
                var response = kit.errorPage(error.problem.status, PageMessages.signOutNotRecorded, staff: nil, back: "/app/sign-in")
                response.headers.append(contentsOf: PageSession.clearCookie)
                return response
            }
            return PageKit.redirect("/app/sign-in", headers: PageSession.clearCookie)
        }
        let pages = router.group("/app")
            .add(middleware: session)
            .add(middleware: CSRFMiddleware(tokens: kit.csrf, binding: { $0.staff.map { CSRFTokens.binding(session: $0.sessionID) } }, refused: refusedForm))

        pages.get("home") { _, context -> Response in
            let staff = try context.requireStaff()
            return try kit.page(
                .home, staff: staff,
                values: ["organisation": OrganisationURI.string(staff.organisation), "expires": RussianFormat.dateTime(staff.expiresAt)])
        }
        pages.get("consent") { _, context -> Response in
            let staff = try context.requireStaff()
            if staff.consentRecorded { return PageKit.redirect("/app/home") }
            return try kit.page(.consent, staff: staff, values: ["version": StaffConsent.currentVersion])
        }
        pages.post("consent") { request, context -> Response in
            let staff = try context.requireStaff()
            let form = try await CSRFMiddleware.form(request)
            do throws(AccountsError) {
                try await dependencies.staff.administration.recordConsent(staff, version: form["version"] ?? "")
            } catch {
                return kit.errorPage(error.problem, staff: staff, back: "/app/consent")
            }
            return PageKit.redirect("/app/home")
        }
        if let door = dependencies.door {
            SchoolPages.add(to: pages, kit, door: door, staff: dependencies.staff)
            if let accounts = dependencies.pupil?.accounts { SchoolPages.addActivationCode(to: pages, kit, door: door, accounts: accounts) }
        }
        if let kpi = dependencies.kpi {
            SchoolPages.addKPI(to: pages, kit, desk: kpi)
        }
        OfficerPages.add(to: pages, kit, audit: dependencies.audit, door: dependencies.door)
        RegionPages.add(
            to: pages, kit, organisations: dependencies.organisations, trials: dependencies.trials, kpi: dependencies.kpi, staff: dependencies.staff)
        if let trials = dependencies.trials {
            VenuePages.add(to: pages, kit, trials: trials, staff: dependencies.staff)
            MentorPages.add(to: pages, kit, trials: trials)
            if let recommendations = dependencies.recommendations, let progress = dependencies.navigatorProgress {
                NavigatorPages.add(to: pages, kit, NavigatorPages.Dependencies(trials: trials, recommendations: recommendations, progress: progress))
            }
        }
        if let assessment = dependencies.assessment {
            MethodologistPages.add(to: pages, kit, assessment: assessment)
            NavigatorTestPages.add(to: pages, kit, assessment: assessment)
        }
        if let certificates = dependencies.certificates {
            SecurityPages.add(to: pages, kit, certificates: certificates)
        }
        if let pupil = dependencies.pupil {
            PupilPages.add(to: router, kit, pupil)
        }
    }
}
