import ArgumentParser
import Foundation
import Recommendations

/// `bilet-bench recommendations`: ranks every pupil's recommendations with the module's pure
/// engine (``RecommendationEngine``) on one core.
///
/// Each synthetic pupil has a footprint over the 15 spheres and 20 of the competencies and up to
/// three trial outcomes; the region offers `--offers` events and opportunities. Signals come from
/// a seeded generator (4,096 distinct pupils, cycled), so runs are repeatable. This measures the
/// ranking only: not the vault's translations nor the stores' reads and writes. Target: all
/// 100,000 pupils within 60 s.
struct RecommendationsBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recommendations",
        abstract: "Measures ranking recommendations for every pupil (the pure engine, one core).")

    @Option(help: "Pupils to rank.")
    var pupils: Int = 100_000

    @Option(help: "Events and opportunities on offer in the region.")
    var offers: Int = 200

    @Option(help: "Seed of the signal generator.")
    var seed: UInt64 = 11

    static let distinctPupils = 4_096
    static let spheres = ["it", "engineering", "medicine", "education", "science", "agriculture", "construction", "transport", "finance",
                          "law", "arts", "media", "sport", "ecology", "services"]
    static let competencies = ["programming", "data_analysis", "mathematics", "physics", "chemistry", "biology", "drawing", "modelling_3d",
                               "electronics", "robotics", "mechanics", "welding", "first_aid", "teaching", "public_speaking", "writing",
                               "negotiation", "accounting", "graphic_design", "journalism"]

    func validate() throws {
        guard pupils > 0, (0...100_000).contains(offers) else { throw ValidationError("pupils positive; offers 0 to 100000") }
    }

    func run() async throws {
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        var random = SplitMix64(seed: seed)
        func pick<T>(_ list: [T]) -> T { list[Int(random.next() % UInt64(list.count))] }
        var signals: [PupilSignals] = []
        for _ in 0..<min(pupils, Self.distinctPupils) {
            var footprint: [FootprintSignal] = []
            for sphere in Self.spheres { footprint.append(FootprintSignal(dimension: "sphere.\(sphere)", value: Int(random.next() % 101), test: "Мои интересы")) }
            for competency in Self.competencies {
                footprint.append(FootprintSignal(dimension: "competency.\(competency)", value: Int(random.next() % 101), test: nil))
            }
            var trials: [TrialOutcome] = []
            for index in 0..<Int(random.next() % 4) {
                let attended = random.next() % 4 != 0
                let grade = Int(1 + random.next() % 5)
                trials.append(
                    TrialOutcome(
                        event: Int64(index + 1), title: "Профпроба", sphere: pick(Self.spheres), competencies: [pick(Self.competencies)],
                        attended: attended, grade: grade))
            }
            signals.append(PupilSignals(footprint: footprint, trials: trials))
        }
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var offered: [Offer] = []
        for index in 0..<offers {
            let kind: Offer.Kind = index % 2 == 0 ? .event : .opportunity
            let competencies: [String] = [pick(Self.competencies), pick(Self.competencies)]
            let startsAt = start.addingTimeInterval(Double(index) * 3600)
            offered.append(
                Offer(kind: kind, id: Int64(index + 1), title: "Предложение \(index + 1)", sphere: pick(Self.spheres), competencies: competencies,
                      startsAt: startsAt))
        }
        let engine = RecommendationEngine()
        let clock = ContinuousClock()
        var checksum = 0
        let elapsed = clock.measure {
            for index in 0..<pupils {
                let ranked = engine.rank(signals[index % signals.count], offers: offered)
                checksum &+= ranked.count &+ (ranked.first?.score ?? 0)
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            String(
                format: "recommendations: %d pupils, %d offers in %.3f s: %.0f pupils/s on one core (checksum %d)",
                pupils, offers, seconds, Double(pupils) / max(seconds, 1e-9), checksum))
        print(seconds <= 60 ? "target met: all pupils within 60 s" : "target missed: more than 60 s")
    }
}
