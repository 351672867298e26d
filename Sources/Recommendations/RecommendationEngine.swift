/// The ranking engine: pure and deterministic, no I/O. From a pupil's signals (footprint values
/// by dimension, trial outcomes) it ranks spheres and competencies, then the offers (upcoming
/// approved events, the region's opportunities) that match what it recommends. Every
/// recommendation names the signals that led to it (``Reason``) and reads as a Russian text
/// rendered from them (``ReasonText``).
///
/// Scores:
/// - a sphere: its footprint value (`sphere.<code>`, 0…100), plus for each trial of the sphere
///   the pupil attended 10, plus 4 per grade point when graded (a 5 adds 30);
/// - a competency: its footprint value (`competency.<code>`), plus for each attended trial that
///   trains it 5, plus 3 per grade point;
/// - spheres and competencies scoring at least ``Limits/threshold`` are recommended, strongest
///   first (ties by code), at most ``Limits/spheres`` and ``Limits/competencies``;
/// - an offer the pupil has not already held a seat in scores its sphere's score when the sphere
///   is recommended, plus half the score of each recommended competency it trains; offers that
///   match nothing are left out; ties go to the earlier start, then the lower id.
public struct RecommendationEngine: Sendable {
    /// How much the engine recommends.
    public struct Limits: Sendable, Hashable {
        public var spheres: Int
        public var competencies: Int
        public var events: Int
        public var opportunities: Int
        /// The least score of a recommended sphere or competency.
        public var threshold: Int

        /// Creates limits.
        public init(spheres: Int = 3, competencies: Int = 5, events: Int = 5, opportunities: Int = 5, threshold: Int = 50) {
            self.spheres = spheres
            self.competencies = competencies
            self.events = events
            self.opportunities = opportunities
            self.threshold = threshold
        }
    }

    public let limits: Limits

    /// An engine with `limits`.
    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// The pupil's recommendations: spheres, competencies, events, opportunities, each kind ranked
    /// from 1.
    public func rank(_ signals: PupilSignals, offers: [Offer]) -> [RankedRecommendation] {
        var spheres: [String: Tally] = [:]
        var competencies: [String: Tally] = [:]
        for signal in signals.footprint {
            let (kind, code) = ReasonText.split(signal.dimension)
            let value = min(max(signal.value, 0), 100)
            let reason = Reason.testScore(dimension: signal.dimension, value: value, test: signal.test)
            switch kind {
            case "sphere": spheres[code, default: Tally()].add(value, reason)
            case "competency": competencies[code, default: Tally()].add(value, reason)
            default: continue
            }
        }
        var seen: Set<Int64> = []
        for trial in signals.trials.sorted(by: { $0.event < $1.event }) {
            seen.insert(trial.event)
            guard trial.attended == true else { continue }
            let grade = trial.grade.map { min(max($0, 1), 5) }
            spheres[trial.sphere, default: Tally()].add(
                10 + 4 * (grade ?? 0), .trialAttended(event: trial.event, title: trial.title, sphere: trial.sphere, grade: grade))
            for competency in Set(trial.competencies).sorted() {
                competencies[competency, default: Tally()].add(
                    5 + 3 * (grade ?? 0), .trialCompetency(event: trial.event, title: trial.title, competency: competency, grade: grade))
            }
        }
        let topSpheres = top(spheres, limit: limits.spheres)
        let topCompetencies = top(competencies, limit: limits.competencies)
        var result: [RankedRecommendation] = []
        for (index, (code, tally)) in topSpheres.enumerated() {
            result.append(recommendation(.sphere, code, RussianTitles.sphere(code), tally.score, index + 1, tally.reasons))
        }
        for (index, (code, tally)) in topCompetencies.enumerated() {
            result.append(recommendation(.competency, code, RussianTitles.competency(code), tally.score, index + 1, tally.reasons))
        }
        let sphereScores = Dictionary(uniqueKeysWithValues: topSpheres.map { ($0.0, $0.1.score) })
        let competencyScores = Dictionary(uniqueKeysWithValues: topCompetencies.map { ($0.0, $0.1.score) })
        for (kind, limit) in [(Offer.Kind.event, limits.events), (.opportunity, limits.opportunities)] {
            var scored: [(Offer, Int, [Reason])] = []
            for offer in offers where offer.kind == kind && !(kind == .event && seen.contains(offer.id)) {
                var score = 0
                var reasons: [Reason] = []
                if let value = sphereScores[offer.sphere] {
                    score += value
                    reasons.append(.matchesSphere(sphere: offer.sphere))
                }
                // Most offers name one or two competencies: sort (and skip repeats) only the matched ones.
                var matched: [String] = []
                for competency in offer.competencies where competencyScores[competency] != nil && !matched.contains(competency) {
                    matched.append(competency)
                }
                for competency in matched.sorted() {
                    score += competencyScores[competency]! / 2
                    reasons.append(.matchesCompetency(competency: competency))
                }
                if !reasons.isEmpty { scored.append((offer, score, reasons)) }
            }
            scored.sort { a, b in
                if a.1 != b.1 { return a.1 > b.1 }
                if a.0.startsAt != b.0.startsAt { return a.0.startsAt < b.0.startsAt }
                return a.0.id < b.0.id
            }
            for (index, (offer, score, reasons)) in scored.prefix(max(limit, 0)).enumerated() {
                result.append(
                    recommendation(kind == .event ? .event : .opportunity, String(offer.id), offer.title, score, index + 1, reasons))
            }
        }
        return result
    }

    private func top(_ tallies: [String: Tally], limit: Int) -> [(String, Tally)] {
        tallies.filter { $0.value.score >= limits.threshold }
            .sorted { $0.value.score != $1.value.score ? $0.value.score > $1.value.score : $0.key < $1.key }
            .prefix(max(limit, 0)).map { ($0.key, $0.value) }
    }

    private func recommendation(
        _ kind: RecommendationKind, _ subject: String, _ title: String, _ score: Int, _ rank: Int, _ reasons: [Reason]
    ) -> RankedRecommendation {
        RankedRecommendation(
            kind: kind, subject: subject, title: title, score: score, rank: rank, reasons: reasons,
            text: ReasonText.text(kind: kind, title: title, reasons: reasons))
    }

    /// A score and the reasons adding to it.
    struct Tally {
        var score = 0
        var reasons: [Reason] = []

        mutating func add(_ points: Int, _ reason: Reason) {
            score += points
            reasons.append(reason)
        }
    }
}
