import Foundation
import Pages
import Trials

/// The values that switch on every optional part of the coordinator's, the venue's and the
/// mentor's templates (merged into ``PageSafetyTests/values()``); with `text`, every string a
/// caller or the database could supply is `text` (the escaping test).
enum RolePageValues {
    static func event(_ status: TrialEvent.Status, text: String? = nil) -> TrialEvent {
        let start = Date(timeIntervalSince1970: 1_796_019_600)  // 2026-11-30 06:20 UTC
        return TrialEvent(
            id: 7, venue: text ?? "77-0042", region: "77",
            details: EventDetails(
                kind: .trial, title: text ?? "Профпроба «Робототехника»", startsAt: start, endsAt: start.addingTimeInterval(7_200), place: 3,
                capacity: 12, sphere: "engineering", competencies: ["robotics"], format: .inPerson, mentor: "usr_M"),
            status: status, returnReason: text ?? "Уточните место.", seated: 4)
    }

    static func values(text: String? = nil) -> [String: Any] {
        let sample = { (normal: String) in text ?? normal }
        let months = (1...12).map { String(format: "%02d.2026", $0) }
        let chart = KPIChart(id: "chart-1", title: sample("Зарегистрировано учеников"), months: months.enumerated().map { index, month -> (month: String, count: Int?) in (month, index % 3 == 0 ? nil : index * 10) })
        var row = AttendanceSheet.Row(
            number: 1, pupil: sample("trl_AAAAAAAAAAAAAAAAAAAAAA"), firstName: sample("Анна"), surnameInitial: "Т", withheld: nil, attended: true, grade: 5,
            feedback: sample("Собрала манипулятор первой."))
        row.error = sample("Оценку ставят только присутствовавшему.")
        let withheld = AttendanceSheet.Row(
            number: 2, pupil: "trl_BBBBBBBBBBBBBBBBBBBBBB", firstName: nil, surnameInitial: nil, withheld: "consent-missing", attended: nil, grade: nil,
            feedback: nil)
        return [
            "region": sample("77"), "hasOrganisations": true, "organisationCount": 1,
            "organisations": [
                OrganisationRow(
                    kind: "school", id: "77-0001", name: sample("Школа № 1"), address: sample("Москва, ул. Тестовая, 1"), inn: "7707083893",
                    agreementNumber: sample("ДО-1"), signedOn: "2026-09-01")
            ],
            "hasRegionEvents": true, "decided": sample("Мероприятие согласовано."),
            "regionEvents": [
                ["event": EventRow(event(.submitted, text: text)), "reason": sample("Причина"), "reasonError": sample("Напишите, что площадке исправить.")]
            ],
            "charts": [chart],
            "places": [Place(id: 3, venue: "77-0042", name: sample("Мастерская № 1"), address: sample("Москва, ул. Тестовая, 1"), capacity: 30)],
            "hasPlaces": true, "added": true,
            "mentors": [NavigatorChoice.Option(id: "usr_M", login: sample("mentor.one"))], "hasMentors": true,
            "candidates": [NavigatorChoice.Option(id: "usr_N", login: sample("mentor.two"))], "hasCandidates": true,
            "venueEvents": [EventRow(event(.returned, text: text), places: [3: sample("Мастерская № 1")]), EventRow(event(.draft, text: text))],
            "hasVenueEvents": true, "done": sample("Мероприятие отправлено на согласование."),
            "mentorEvents": [EventRow(event(.approved, text: text))], "hasMentorEvents": true,
            "eventID": 7, "eventTitle": sample("Профпроба «Робототехника»"), "eventTime": "30.11.2026 09:20 — 30.11.2026 11:20", "seatedCount": 2,
            "rows": [row, withheld], "hasRows": true, "nextPage": 100,
            "registered": sample("Организация зарегистрирована."), "activationCode": sample("AAAA-BBBB-CCCC-DDDD-EEEE"),
            "returnedBecause": sample("Уточните место."), "eventStatus": "возвращено на доработку", "currentMentor": sample("mentor.one"),
        ].merging(navigatorValues(text: text)) { first, _ in first }
    }

    /// The navigator's pages' values: the events, one event's seats with both forms refused, the
    /// pupils' drafts (one pupil unavailable) and one pupil's review with a refused text.
    static func navigatorValues(text: String? = nil) -> [String: Any] {
        let sample = { (normal: String) in text ?? normal }
        let pupils = [
            NavigatorPupil(token: "sub_AAAAAAAAAAAAAAAAAAAAAA", surname: sample("Тестова"), firstName: sample("Анна"), patronymic: sample("Павловна"), withheld: nil),
            NavigatorPupil(token: "sub_BBBBBBBBBBBBBBBBBBBBBB", surname: nil, firstName: nil, patronymic: nil, withheld: "consent-missing"),
        ]
        var refused = RecommendationReviewRow(id: 12, kind: "sphere", title: sample("Информационные технологии"), text: sample(""), draft: true, publishedAt: nil)
        refused.textError = sample("Напишите текст рекомендации.")
        let published = RecommendationReviewRow(
            id: 13, kind: "event", title: sample("Профпроба «Робототехника»"), text: sample("Запишитесь на пробу."), draft: false,
            publishedAt: Date(timeIntervalSince1970: 1_796_019_600))
        return [
            "navEvents": [EnrollableEventRow(EnrollableEvent(event(.approved, text: text)))], "hasNavEvents": true, "navEventCount": 1,
            "navNotice": sample("Ученик записан: место за учеником."), "navEvent": EnrollableEventRow(EnrollableEvent(event(.approved, text: text))), "navEventID": 7,
            "navCapacity": 12, "navSeated": 12, "navWaiting": 1, "navOwn": [["text": sample("лист ожидания, 1-й")]], "hasNavOwn": true,
            "hasNavPupils": true, "navEnrolChoices": NavigatorPupil.choices(pupils, selected: "sub_AAAAAAAAAAAAAAAAAAAAAA"),
            "navCancelChoices": NavigatorPupil.choices(pupils, selected: nil),
            "navEnrolError": sample("Нет действующего согласия ученика на эту цель."), "navCancelError": sample("Этот ученик не записан на мероприятие."),
            "navRecPupils": [
                RecommendationDraftsCard(pupils[0], drafts: [refused], published: 1),
                RecommendationDraftsCard(pupils[1], unavailable: sample("Рекомендации недоступны.")),
            ],
            "hasNavRecPupils": true, "navNext": "sub_BBBBBBBBBBBBBBBBBBBBBB",
            "navPupilToken": "sub_AAAAAAAAAAAAAAAAAAAAAA", "navItems": [refused, published], "hasNavItems": true,
            "navRecMessage": sample("У этого ученика нет такой рекомендации."),
        ]
    }
}
