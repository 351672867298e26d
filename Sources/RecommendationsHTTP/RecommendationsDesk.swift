public import Accounts
public import Assessment
public import Audit
public import Foundation
public import Gateway
public import Policy
public import PostgreSQL
public import Recommendations
import Tokens
public import Trials
public import VaultDoor
import VaultHTTP

/// The recommendations module's work as the gateway does it for a verified caller.
///
/// Pupils are reached only through the vault's door: the navigator's pupil (vault token) becomes
/// the recommendations token under the vault's policy (`navigator.recommendations.assigned`),
/// consent and audit; the engine's signals come from the assessment and trials modules by the
/// recommendations service's own token, which the vault translates into theirs
/// (`service.translate.own-namespace`, `service.recommendations.pupil`, `token.resolved`) — never
/// by joining schemas. Changes are audited (`recommendation.changed`,
/// `recommendation.opportunity_uploaded`) by `bilet_gateway` inside the change's transaction.
public struct RecommendationsDesk: Sendable {
    /// The purpose of navigators' and pupils' recommendation work.
    public static let purpose = "recommendation"
    /// The purpose of coordinators' opportunities.
    public static let administration = "administration"

    public let store: RecommendationsStore
    public let assessment: AssessmentStore
    public let trials: TrialsStore
    public let door: VaultDoorClient
    public let policies: PolicyStore
    /// A `bilet_gateway` pool: the audit records' writer.
    public let recorder: PostgresConnectionPool
    public let log: AuditLog
    public let engine: RecommendationEngine

    /// A desk over the three modules' stores and the vault's door.
    public init(
        store: RecommendationsStore, assessment: AssessmentStore, trials: TrialsStore, door: VaultDoorClient, policies: PolicyStore,
        recorder: PostgresConnectionPool, log: AuditLog = AuditLog(), engine: RecommendationEngine = RecommendationEngine()
    ) {
        self.store = store
        self.assessment = assessment
        self.trials = trials
        self.door = door
        self.policies = policies
        self.recorder = recorder
        self.log = log
        self.engine = engine
    }

    // MARK: Navigators

    /// Generates `pupil`'s (vault token) recommendations, replacing their drafts.
    public func generate(_ session: StaffSession, pupil: String, now: Date = Date()) async throws -> [StoredRecommendation] {
        let token = try await recommendationsToken(session, pupil: pupil, action: "create")
        let signals = try await signals(of: token)
        var offers: [Offer] = []
        if let region = session.region {
            // Not ended, compared in SQL (the region's past events never push upcoming ones out); not begun yet.
            offers += try await trials.approvedEvents(region: region, endingAfter: now).filter { $0.details.startsAt > now }.map {
                Offer(kind: .event, id: $0.id, title: $0.details.title, sphere: $0.details.sphere, competencies: $0.details.competencies, startsAt: $0.details.startsAt)
            }
            offers += try await store.opportunities(region: region, openAt: now).map(\.offer)
        }
        let ranked = engine.rank(signals, offers: offers)
        let school = session.organisation.kind.rawValue == "school" ? session.organisation.id.value : nil
        return try await store.replaceDrafts(of: token, with: ranked, school: school, region: session.region, by: actor(session)) { stored in
            try await append(
                RecommendationChanged(
                    actor: actor(session), subject: token.rawValue, change: .generated, items: stored.count, item: nil, purpose: Self.purpose,
                    policyVersion: nil))
        }
    }

    /// `pupil`'s recommendations, drafts and published, for the navigator's review.
    public func review(_ session: StaffSession, pupil: String) async throws -> [StoredRecommendation] {
        let token = try await recommendationsToken(session, pupil: pupil, action: "read")
        return try await store.recommendations(for: token, publishedOnly: false)
    }

    /// Replaces the text of `pupil`'s recommendation `id`.
    public func edit(_ session: StaffSession, pupil: String, id: Int64, text: String) async throws -> StoredRecommendation {
        let token = try await recommendationsToken(session, pupil: pupil, action: "update")
        return try await store.edit(id, of: token, text: text, by: actor(session)) { item in
            try await append(
                RecommendationChanged(
                    actor: actor(session), subject: token.rawValue, change: .edited, items: 1, item: "recommendation:\(item.id)",
                    purpose: Self.purpose, policyVersion: nil))
        }
    }

    /// Publishes `pupil`'s recommendation `id` to the pupil.
    public func publish(_ session: StaffSession, pupil: String, id: Int64) async throws -> StoredRecommendation {
        let token = try await recommendationsToken(session, pupil: pupil, action: "update")
        return try await store.publish(id, of: token, by: actor(session)) { item in
            try await append(
                RecommendationChanged(
                    actor: actor(session), subject: token.rawValue, change: .published, items: 1, item: "recommendation:\(item.id)",
                    purpose: Self.purpose, policyVersion: nil))
        }
    }

    // MARK: Pupils

    /// The published recommendations of the pupil of `caller` (a pupil session's door caller).
    public func published(_ caller: DoorCaller) async throws -> [StoredRecommendation] {
        guard case .recommendations(.token(let text)) = try await DoorCalls.call(door, .recommendations(.ownToken, caller: caller)),
              let token = RecommendationsToken(text)
        else { throw Problem.internalError }
        return try await store.recommendations(for: token, publishedOnly: true)
    }

    // MARK: Coordinators

    /// Uploads an opportunity of the coordinator's region.
    public func upload(
        _ session: StaffSession, title: String, sphere: String, competencies: [String], startsAt: Date, endsAt: Date, link: String
    ) async throws -> Opportunity {
        let decision = try await decide(session, "create", fields: ["title", "description"])
        guard let region = session.region else { throw RecommendationsHTTPRefusal.forbidden }
        return try await store.addOpportunity(
            region: region, title: title, sphere: sphere, competencies: competencies, startsAt: startsAt, endsAt: endsAt, link: link,
            by: actor(session)
        ) { opportunity in
            try await append(
                OpportunityUploaded(
                    actor: actor(session), opportunity: "opportunity:\(opportunity.id)", region: "bilet://region/\(region)",
                    purpose: Self.administration, policyVersion: decision.policyVersion.digest))
        }
    }

    /// The coordinator's region's open opportunities.
    public func opportunities(_ session: StaffSession, now: Date = Date()) async throws -> [Opportunity] {
        _ = try await decide(session, "read", fields: ["title"])
        guard let region = session.region else { throw RecommendationsHTTPRefusal.forbidden }
        return try await store.opportunities(region: region, openAt: now)
    }

    // MARK: Signals

    /// The engine's signals of the pupil of `token`: the footprint (assessment) and trial outcomes
    /// (trials), each module reached by its own token, translated by the vault for the
    /// recommendations service.
    func signals(of token: RecommendationsToken) async throws -> PupilSignals {
        let assessmentText = try await translate(token, to: "assessment")
        let trialsText = try await translate(token, to: "trials")
        guard let assessmentToken = AssessmentToken(assessmentText), let trialsToken = TrialsToken(trialsText) else {
            throw Problem.internalError
        }
        let values = try await assessment.footprint(for: assessmentToken)
        let history = try await assessment.footprintHistory(for: assessmentToken)
        let results = try await assessment.results(for: assessmentToken)
        var titles: [String: String] = [:]
        var testOfSession: [UUID: String] = [:]
        for result in results {
            let key = "\(result.testCode)@\(result.testVersion)"
            if titles[key] == nil { titles[key] = try await assessment.version(code: result.testCode, version: result.testVersion)?.title ?? result.testCode }
            testOfSession[result.session] = titles[key]
        }
        var lastTest: [String: String] = [:]
        for change in history { lastTest[change.dimension] = testOfSession[change.sourceSession] }
        let footprint = values.map { FootprintSignal(dimension: $0.dimension, value: $0.value, test: lastTest[$0.dimension]) }
        var outcomes: [TrialOutcome] = []
        for signal in try await trials.signals(for: trialsToken) {
            let title = try await trials.event(signal.event)?.details.title ?? "№\(signal.event)"
            outcomes.append(
                TrialOutcome(
                    event: signal.event, title: title, sphere: signal.sphere, competencies: signal.competencies, attended: signal.attended,
                    grade: signal.grade))
        }
        return PupilSignals(footprint: footprint, trials: outcomes)
    }

    /// The pupil's token in `module`, from the recommendations service's own token.
    func translate(_ token: RecommendationsToken, to module: String) async throws -> String {
        let answer = try await DoorCalls.call(
            door, .modules(.translate(token: token.rawValue, to: module, purpose: Self.purpose), service: ServiceCaller(service: "recommendations")))
        guard case .modules(.token(let text)) = answer else { throw Problem.internalError }
        return text
    }

    // MARK: Helpers

    /// The navigator's pupil's recommendations token, from the vault's door.
    func recommendationsToken(_ session: StaffSession, pupil: String, action: String) async throws -> RecommendationsToken {
        let answer = try await DoorCalls.call(
            door, .recommendations(.pupilToken(pupil: pupil, action: action), caller: DoorCalls.caller(for: session)))
        guard case .recommendations(.token(let text)) = answer, let token = RecommendationsToken(text) else { throw Problem.internalError }
        return token
    }

    func actor(_ session: StaffSession) -> String { "user:\(session.accountID)" }

    /// The policy's permit on the coordinator's region's `regional_opportunity`; a refusal is
    /// audited (`policy.decided`, deny) and thrown as `403 forbidden`.
    func decide(_ session: StaffSession, _ action: String, fields: [String]) async throws -> Decision {
        let resource = Resource(
            type: "regional_opportunity", id: "region:\(session.region ?? "none")",
            attributes: ["region": .entity(EntityRef("region", session.region ?? ""))])
        guard
            let decision = try await session.permit(
                action, on: resource, fields: fields, purpose: Self.administration, policies: policies,
                recordDenial: { denial in
                    do {
                        try await log.append(denial, using: recorder)
                    } catch {
                        throw RecommendationsError(.recordFailed, "the audit record could not be written")
                    }
                })
        else { throw RecommendationsHTTPRefusal.forbidden }
        return decision
    }

    func append(_ record: some TypedAuditEvent) async throws {
        try await log.append(record, using: recorder)
    }
}

/// The refusals the recommendations routes answer themselves.
public enum RecommendationsHTTPRefusal: Error, HTTPProblemConvertible {
    /// `403 forbidden`: the policy does not permit it (audited).
    case forbidden

    public var problem: Problem {
        Problem.forbidden
    }
}
