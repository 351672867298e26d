import Foundation

/// The two notices to Roskomnadzor an incident owes (152-FZ art. 21 part 3.1), in Russian, prepared
/// from the record and its impact for the operator to complete and send: the first notice within
/// 24 hours of discovery (the incident, its presumed causes, the harm, the measures taken, the
/// contact person) and the results of the investigation within 72 hours.
///
/// The texts carry the incident's id, times, kind, description and counts of affected data
/// subjects and organisations, and the organisations' URIs; never a subject's token or name. Times
/// are given in UTC.
public struct IncidentNotices: Sendable, Hashable {
    /// The first notice (24 hours).
    public let firstNotice: String
    /// The results of the investigation (72 hours).
    public let results: String

    /// Prepares both texts.
    public init(_ record: IncidentRecord, _ impact: IncidentImpact) {
        let organisations = impact.organisations.isEmpty ? "не установлены" : impact.organisations.joined(separator: ", ")
        let facts = """
            Инцидент: \(record.id).
            Характер инцидента: \(record.kind.russian).
            Дата и время выявления: \(Self.time(record.discoveredAt)).
            Период, в который произошла передача (доступ): с \(Self.time(record.scope.from)) по \(Self.time(record.scope.until)).
            Количество субъектов персональных данных, чьи права затронуты (по журналу аудита): \(impact.subjects.count).
            Количество затронутых организаций: \(impact.organisations.count) (\(organisations)).
            Описание инцидента: \(record.description)
            """
        firstNotice = """
            Уведомление о факте неправомерной или случайной передачи (предоставления, распространения, доступа) \
            персональных данных (ч. 3.1 ст. 21 Федерального закона № 152-ФЗ «О персональных данных»).

            \(facts)

            Предполагаемые причины, повлёкшие нарушение прав субъектов персональных данных: [указать].
            Предполагаемый вред, нанесённый правам субъектов персональных данных: [указать].
            Принятые меры по устранению последствий инцидента: [указать].
            Лицо, уполномоченное оператором на взаимодействие с Роскомнадзором по вопросам, связанным с инцидентом: [указать].

            Срок направления уведомления: до \(Self.time(record.firstNotice.dueAt)) (в течение 24 часов с момента выявления).
            Срок направления результатов внутреннего расследования: до \(Self.time(record.results.dueAt)) (в течение 72 часов).
            """
        results = """
            Уведомление о результатах внутреннего расследования выявленного инцидента \
            (п. 2 ч. 3.1 ст. 21 Федерального закона № 152-ФЗ «О персональных данных»).

            \(facts)

            Результаты внутреннего расследования: [указать].
            Сведения о лицах, действия которых стали причиной инцидента (при наличии): [указать].

            Срок направления: до \(Self.time(record.results.dueAt)) (в течение 72 часов с момента выявления \
            \(Self.time(record.discoveredAt))).
            """
    }

    /// `07.12.2026 09:00 UTC`.
    static func time(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(two(parts.day)).\(two(parts.month)).\(parts.year ?? 0) \(two(parts.hour)):\(two(parts.minute)) UTC"
    }
}
