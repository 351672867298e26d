/// The words a pupil reads for each ``Reason``, in Russian, addressed to the pupil («Вы …»).
public enum ReasonText {
    /// One sentence for `reason`.
    public static func sentence(_ reason: Reason) -> String {
        switch reason {
        case .testScore(let dimension, let value, let test):
            let (kind, code) = split(dimension)
            let what = kind == "competency"
                ? "по компетенции «\(RussianTitles.competency(code))»" : "по сфере «\(RussianTitles.sphere(code))»"
            let level = value >= 70 ? "высокий балл" : value >= 50 ? "хороший балл" : "балл"
            let source = test.map { " в тесте «\($0)»" } ?? " в тестах"
            return "Вы набрали \(level) \(what)\(source): \(value) из 100."
        case .trialAttended(_, let title, let sphere, let grade):
            let graded = grade.map { " и получили оценку \($0) из 5" } ?? ""
            return "Вы побывали на профпробе «\(title)» в сфере «\(RussianTitles.sphere(sphere))»\(graded)."
        case .trialCompetency(_, let title, let competency, let grade):
            let graded = grade.map { " (оценка \($0) из 5)" } ?? ""
            return "На профпробе «\(title)» вы применяли компетенцию «\(RussianTitles.competency(competency))»\(graded)."
        case .matchesSphere(let sphere):
            return "Это по сфере «\(RussianTitles.sphere(sphere))», которая вам подходит."
        case .matchesCompetency(let competency):
            return "Здесь можно развить компетенцию «\(RussianTitles.competency(competency))», которая у вас получается."
        }
    }

    /// The text of a recommendation: its headline, then one sentence per reason.
    public static func text(kind: RecommendationKind, title: String, reasons: [Reason]) -> String {
        let headline = switch kind {
        case .sphere: "Рекомендуем присмотреться к сфере «\(title)»."
        case .competency: "Рекомендуем развивать компетенцию «\(title)»."
        case .event: "Рекомендуем записаться на мероприятие «\(title)»."
        case .opportunity: "Рекомендуем возможность вашего региона: «\(title)»."
        }
        return ([headline] + reasons.map(sentence)).joined(separator: " ")
    }

    static func split(_ dimension: String) -> (String, String) {
        guard let dot = dimension.firstIndex(of: ".") else { return ("", dimension) }
        return (String(dimension[..<dot]), String(dimension[dimension.index(after: dot)...]))
    }
}
