import Accounts
import AccountsHTTP
import Assessment
import AssessmentHTTP
import AuditHTTP
import CertificatesHTTP
import Gateway
import Hummingbird
import Identity
import IncidentsHTTP
import Organisations
import OrganisationsHTTP
import Pages
import PagesHTTP
import Recommendations
import RecommendationsHTTP
import TrialsHTTP
import VaultDoor
import VaultHTTP

/// Every route `bilet serve`'s gateway answers, added in one place.
///
/// Each route group is one optional dependency here and one line in ``makeRouter()``: the
/// gateway's own `/healthz` and `/v1/whoami` always, `POST /v1/certificates/renew` when this
/// process holds the issuing CA, the staff login (`/v1/sessions`), the compliance officers'
/// audit API (`/v1/audit/…`), the organisation registry (`/v1/organisations…`), the incident
/// register (`/v1/incidents…`), staff
/// administration (`/v1/staff…`) and pupils' own accounts (`/v1/pupil/…`) when staff sessions are
/// served, and the server-rendered pages (`/app/…`, ``PageRoutes``) over the same services.
struct PlatformRoutes: Sendable {
    /// The staff login and the routes that need a staff session.
    struct Staff: Sendable {
        let login: StaffLogin
        let sessions: StaffSessions
        let audit: AuditRoutes.Dependencies
        /// The organisation registry (`/v1/organisations`).
        let organisations: OrganisationRoutes.Dependencies
        /// The incident register (`/v1/incidents`).
        let incidents: IncidentRoutes.Dependencies
        /// Staff administration, activation and consent (`/v1/staff`).
        let administration: StaffRoutes.Dependencies
        /// Pupils' own accounts on the pupils' listener (`/v1/pupil/…`).
        let pupils: PupilAccounts
        /// Trials and events (`/v1/trials/…`; with the vault's door).
        let trials: TrialsDesk
        /// Whether an account is a mentor account of a venue (account, venue), for the trials routes.
        let isMentor: @Sendable (String, String) async throws -> Bool
        /// The assessment module's store (`bilet_assessment`); with the vault's door, the
        /// assessment routes (`/v1/assessment/…`, `/v1/pupil/assessment/…`) are served.
        let assessment: AssessmentStore
        /// The recommendations module's store (`bilet_recommendations`); with the vault's door, the
        /// recommendations routes (`/v1/recommendations/…`, `/v1/pupil/recommendations`) are served.
        let recommendations: RecommendationsStore
    }

    /// Renews certificates; `nil` when the process holds no CA (`ca.directory` unset).
    var certificateRenewal: CertificateRoutes.Renew?
    /// The CA's inventory and revocations for security administrators (`/v1/certificates`, the
    /// certificates' pages, with staff sessions); `nil` without a CA.
    var certificateInventory: CertificateInventoryRoutes.Desk?
    /// Staff sessions and the audit API; `nil` when not served.
    var staff: Staff?
    /// The vault process's door; with ``staff``, the vault routes (`/v1/pupils…`) are served.
    var vaultDoor: VaultDoorClient?
    /// The pupils' listener's rate limits and the pupil sessions' token cache (attack review #4).
    var pupilPath = PupilPath()

    /// The router with every configured route group.
    ///
    /// - Throws: ``PagesError`` when the pages' templates or stylesheet are missing or broken.
    func makeRouter() throws(PagesError) -> Router<BiletRequestContext> {
        let router = Gateway.makeRouter()
        router.add(middleware: PupilRateLimitMiddleware(limits: pupilPath.limits))
        let ownTokens = pupilPath.assessmentTokens
        if let certificateRenewal { CertificateRoutes.add(to: router, renew: certificateRenewal) }
        if let staff {
            SessionRoutes.add(to: router, login: staff.login, sessions: staff.sessions)
            AuditRoutes.add(to: router, staff.audit)
            OrganisationRoutes.add(to: router, staff.organisations)
            IncidentRoutes.add(to: router, staff.incidents)
            StaffRoutes.add(to: router, staff.administration)
            PupilSessionRoutes.add(to: router, accounts: staff.pupils, signedOut: { await ownTokens.remove(session: $0.sessionID) })
            let registry = staff.organisations.registry
            let kpiDesk = vaultDoor.map { door in
                KPIDesk(
                    recommendations: staff.recommendations, assessment: staff.assessment, trials: staff.trials.store, door: door,
                    regionOf: { kind, id in
                        guard let kind = OrganisationKind(rawValue: kind), let id = OrganisationID(id) else { return nil }
                        return try await registry.find(Organisation(kind: kind, id: id))?.region
                    })
            }
            let accessDesk = PupilAccessDesk(audit: staff.audit, administration: staff.administration.administration)
            PupilAccessRoutes.add(to: router, desk: accessDesk, accounts: staff.pupils)
            let assessment = vaultDoor.map { vaultDoor in
                AssessmentRoutes.Dependencies(
                    sessions: staff.sessions, pupils: staff.pupils, door: vaultDoor, store: staff.assessment, policies: staff.audit.policies,
                    recorder: staff.audit.recorder, ownTokens: ownTokens)
            }
            let recommendationsDesk = vaultDoor.map { vaultDoor in
                RecommendationsDesk(
                    store: staff.recommendations, assessment: staff.assessment, trials: staff.trials.store, door: vaultDoor,
                    policies: staff.audit.policies, recorder: staff.audit.recorder)
            }
            var pages = PageRoutes.Dependencies(
                login: staff.login, sessions: staff.sessions, staff: staff.administration, door: vaultDoor, kpi: kpiDesk)
            pages.audit = staff.audit
            pages.organisations = staff.organisations
            let trials = vaultDoor.map { TrialsRoutes.Dependencies(sessions: staff.sessions, desk: staff.trials, door: $0, isMentor: staff.isMentor) }
            pages.trials = trials
            if let certificateInventory {
                let inventory = CertificateInventoryRoutes.Dependencies(
                    sessions: staff.sessions, policies: staff.audit.policies, recorder: staff.audit.recorder, desk: certificateInventory)
                CertificateInventoryRoutes.add(to: router, inventory)
                pages.certificates = inventory
            }
            pages.assessment = assessment
            pages.recommendations = recommendationsDesk
            let navigatorProgress = vaultDoor.map { vaultDoor in
                NavigatorProgressDesk(assessment: staff.assessment, trials: staff.trials.store, recommendations: staff.recommendations, door: vaultDoor)
            }
            pages.navigatorProgress = navigatorProgress
            if let assessment, let recommendationsDesk {
                pages.pupil = PupilPages.Dependencies(
                    accounts: staff.pupils, assessment: assessment, recommendations: recommendationsDesk, accesses: accessDesk,
                    signedOut: { await ownTokens.remove(session: $0.sessionID) })
                pages.pupil?.trials = staff.trials
                pages.pupil?.door = vaultDoor
            }
            try PageRoutes.add(to: router, pages)
            if let vaultDoor, let trials, let assessment, let recommendationsDesk, let navigatorProgress {
                VaultRoutes.add(to: router, door: vaultDoor, sessions: staff.sessions, pupilAccounts: staff.pupils)
                TrialsRoutes.add(to: router, trials)
                PupilTrialsRoutes.add(to: router, pupils: staff.pupils, desk: staff.trials, door: vaultDoor)
                AssessmentRoutes.add(to: router, assessment)
                RecommendationsRoutes.add(
                    to: router, RecommendationsRoutes.Dependencies(sessions: staff.sessions, pupils: staff.pupils, desk: recommendationsDesk))
                NavigatorProgressRoutes.add(to: router, sessions: staff.sessions, desk: navigatorProgress)
                if let kpiDesk { KPIRoutes.add(to: router, sessions: staff.sessions, desk: kpiDesk) }
            }
        }
        return router
    }

    /// The route groups served, for the start-up log.
    var groups: [String] {
        ["gateway"] + (certificateRenewal == nil ? [] : ["certificates"])
            + (staff == nil ? [] : ["sessions", "audit", "organisations", "incidents", "staff", "pupil-accounts", "pages"])
            + (staff == nil || vaultDoor == nil ? [] : ["vault", "trials", "assessment", "recommendations", "kpi"])
    }
}
