import Foundation
import Recommendations
import Testing

/// The ranking engine: scores, order, limits, the reasons kept as data and the pupil's text.
@Suite("Recommendation engine")
struct RecommendationEngineTests {
    static let day = Date(timeIntervalSince1970: 1_800_000_000)

    static let signals = PupilSignals(
        footprint: [
            FootprintSignal(dimension: "sphere.it", value: 82, test: "Мои интересы"),
            FootprintSignal(dimension: "sphere.medicine", value: 55, test: "Мои интересы"),
            FootprintSignal(dimension: "sphere.arts", value: 30, test: "Мои интересы"),
            FootprintSignal(dimension: "competency.programming", value: 60, test: nil),
            FootprintSignal(dimension: "soft.teamwork", value: 90, test: nil),
        ],
        trials: [
            TrialOutcome(event: 7, title: "Юный инженер", sphere: "engineering", competencies: ["drawing"], attended: true, grade: 5),
            TrialOutcome(event: 8, title: "Школа врача", sphere: "medicine", competencies: ["first_aid"], attended: false, grade: nil),
        ])

    @Test("spheres rank by footprint value plus attended trials; unattended trials and low values add nothing")
    func spheres() {
        let ranked = RecommendationEngine().rank(Self.signals, offers: [])
        let spheres = ranked.filter { $0.kind == .sphere }
        // it 82; medicine 55 (the missed trial adds nothing); engineering 10 + 4 × 5 = 30 < 50; arts 30 < 50.
        #expect(spheres.map(\.subject) == ["it", "medicine"])
        #expect(spheres.map(\.score) == [82, 55])
        #expect(spheres.map(\.rank) == [1, 2])
        #expect(spheres[0].reasons == [.testScore(dimension: "sphere.it", value: 82, test: "Мои интересы")])
        #expect(spheres[0].title == "Информационные технологии")
    }

    @Test("a graded trial lifts its sphere and competencies over the threshold, with the trial as the reason")
    func trialLifts() {
        var signals = Self.signals
        signals.footprint.append(FootprintSignal(dimension: "sphere.engineering", value: 40, test: "Мои интересы"))
        let ranked = RecommendationEngine().rank(signals, offers: [])
        let engineering = ranked.first { $0.kind == .sphere && $0.subject == "engineering" }
        #expect(engineering?.score == 70)
        #expect(engineering?.reasons == [
            .testScore(dimension: "sphere.engineering", value: 40, test: "Мои интересы"),
            .trialAttended(event: 7, title: "Юный инженер", sphere: "engineering", grade: 5),
        ])
        #expect(ranked.filter { $0.kind == .sphere }.map(\.subject) == ["it", "engineering", "medicine"])
        // drawing: 5 + 3 × 5 = 20, below the threshold; programming 60.
        #expect(ranked.filter { $0.kind == .competency }.map(\.subject) == ["programming"])
    }

    @Test("the text speaks to the pupil in Russian and names each signal")
    func text() {
        let ranked = RecommendationEngine().rank(Self.signals, offers: [])
        #expect(
            ranked[0].text
                == "Рекомендуем присмотреться к сфере «Информационные технологии». Вы набрали высокий балл по сфере «Информационные технологии» в тесте «Мои интересы»: 82 из 100.")
        #expect(
            ReasonText.sentence(.trialAttended(event: 7, title: "Юный инженер", sphere: "engineering", grade: 5))
                == "Вы побывали на профпробе «Юный инженер» в сфере «Инженерия и производство» и получили оценку 5 из 5.")
    }

    @Test("offers match recommended spheres and competencies; seen events and unmatched offers are left out; ties go to the earlier start")
    func offers() {
        let offers = [
            Offer(kind: .event, id: 1, title: "Хакатон", sphere: "it", competencies: ["programming"], startsAt: Self.day),
            Offer(kind: .event, id: 2, title: "День врача", sphere: "medicine", competencies: [], startsAt: Self.day),
            Offer(kind: .event, id: 3, title: "Выставка", sphere: "arts", competencies: [], startsAt: Self.day),
            Offer(kind: .event, id: 8, title: "Школа врача", sphere: "medicine", competencies: [], startsAt: Self.day),
            Offer(kind: .opportunity, id: 5, title: "Олимпиада", sphere: "it", competencies: [], startsAt: Self.day.addingTimeInterval(86_400)),
            Offer(kind: .opportunity, id: 4, title: "Кружок", sphere: "it", competencies: [], startsAt: Self.day),
        ]
        let ranked = RecommendationEngine().rank(Self.signals, offers: offers)
        let events = ranked.filter { $0.kind == .event }
        #expect(events.map(\.subject) == ["1", "2"])
        #expect(events[0].score == 82 + 30)
        #expect(events[0].reasons == [.matchesSphere(sphere: "it"), .matchesCompetency(competency: "programming")])
        #expect(ranked.filter { $0.kind == .opportunity }.map(\.subject) == ["4", "5"])
    }

    @Test("limits cap each kind; no signals, no recommendations")
    func limits() {
        let footprint = (0..<10).map { FootprintSignal(dimension: "sphere.s\($0)", value: 60 + $0) }
        let ranked = RecommendationEngine(limits: .init(spheres: 2)).rank(PupilSignals(footprint: footprint, trials: []), offers: [])
        #expect(ranked.map(\.subject) == ["s9", "s8"])
        #expect(RecommendationEngine().rank(PupilSignals(footprint: [], trials: []), offers: []).isEmpty)
    }
}
