import Foundation
import Pages
import Testing

/// The navigator's templates: the events open for enrolment, one event's seats with the enrol and
/// cancel forms (a refusal above its own form only, the chosen pupil kept), the pupils' drafts,
/// and one pupil's review (a refused text next to its field; a published one without a form);
/// names only as released, else the token and why. ``PageSafetyTests`` covers their safety.
@Suite struct NavigatorPageTests {
    static func render(_ template: PageTemplate) throws -> String {
        try PageRenderer().render(template, frame: RolePageTests.frame("navigator"), values: RolePageValues.navigatorValues())
    }

    @Test func theEventPageShowsTheSeatsAndARefusalAboveItsOwnForm() throws {
        let html = try Self.render(.navigatorEvent)
        #expect(html.contains("<dt>Мест</dt><dd>12</dd>\n<dt>Занято</dt><dd>12</dd>\n<dt>В листе ожидания</dt><dd>1</dd>"))
        #expect(html.contains("<li>лист ожидания, 1-й</li>"))
        #expect(html.contains(#"<form method="post" action="/app/navigator/events/7/enrolments" novalidate>"#))
        #expect(html.contains(#"<p class="alert" role="alert" id="enrol-error">Нет действующего согласия ученика на эту цель.</p>"#))
        #expect(html.contains(#"<select id="enrol-pupil" name="pupil" aria-invalid="true" aria-describedby="enrol-error">"#))
        #expect(html.contains(#"<option value="sub_AAAAAAAAAAAAAAAAAAAAAA" selected>Тестова Анна Павловна</option>"#))
        #expect(
            html.contains(
                #"<option value="sub_BBBBBBBBBBBBBBBBBBBBBB">Ученик sub_BBBBBBBBBBBBBBBBBBBBBB (имя скрыто: нет согласия на этот вид обработки)</option>"#))
        #expect(html.contains(#"<p class="alert" role="alert" id="cancel-error">Этот ученик не записан на мероприятие.</p>"#))
        #expect(html.contains(#"<form method="post" action="/app/navigator/events/7/cancel" novalidate>"#))
        // Moscow time, ДД.ММ.ГГГГ.
        #expect(html.contains("30.11.2026 09:20 — 30.11.2026 11:20 (время московское); место № 3."), "\(html)")
        // Only what the policy releases to a navigator (title, place, schedule, capacity).
        #expect(!html.contains("77-0042") && !html.contains("профпроба,") && !html.contains("очно"), "no venue, kind or format")
    }

    @Test func theEventsListLinksEachEvent() throws {
        let html = try Self.render(.navigatorEvents)
        #expect(html.contains("<caption>Открыто для записи: 1</caption>"))
        #expect(html.contains(#"<th scope="row"><a href="/app/navigator/events/7">Профпроба «Робототехника»</a>"#))
        #expect(html.contains("<td>№ 3</td>\n<td>12</td>"), "\(html)")
        #expect(!html.contains("12 / 4"), "no seats taken in the list: the navigator's answer has no such field")
    }

    @Test func theDraftsListNamesPupilsAsReleased() throws {
        let html = try Self.render(.navigatorRecommendations)
        #expect(html.contains(#"<a href="/app/navigator/recommendations/sub_AAAAAAAAAAAAAAAAAAAAAA">Тестова Анна Павловна</a>"#))
        #expect(html.contains("<p>Черновиков: 1. Опубликовано: 1.</p>"))
        #expect(html.contains("<li>Информационные технологии <span class=\"hint\">(сфера)</span></li>"))
        #expect(html.contains("<p>Рекомендации недоступны.</p>"))
        #expect(html.contains(#"<a href="/app/navigator/recommendations?after=sub_BBBBBBBBBBBBBBBBBBBBBB">"#))
    }

    @Test func theReviewShowsARefusedTextNextToItsFieldAndNoFormOnAPublishedOne() throws {
        let html = try Self.render(.navigatorPupilRecommendations)
        #expect(html.contains(#"<textarea id="text-12" name="text" rows="4" aria-invalid="true" aria-describedby="text-12-error"></textarea>"#))
        #expect(html.contains(#"<p class="error" id="text-12-error">Напишите текст рекомендации.</p>"#))
        #expect(html.contains(#"<form method="post" action="/app/navigator/recommendations/sub_AAAAAAAAAAAAAAAAAAAAAA/items/12/publish" class="inline">"#))
        #expect(!html.contains("/items/13/publish"))
        #expect(!html.contains(#"id="text-13""#))
        #expect(html.contains("<p>Запишитесь на пробу.</p>\n<p class=\"hint\">Опубликовано 30.11.2026 09:20 (время московское).</p>"))
        #expect(html.contains(#"<p class="alert" role="alert">У этого ученика нет такой рекомендации.</p>"#))
    }

    @Test func theSentencesOfAnEnrolment() {
        #expect(EnrolmentText.enrolled(seated: true, position: nil, again: false) == "Ученик записан: место за учеником.")
        #expect(EnrolmentText.enrolled(seated: false, position: 2, again: false) == "Ученик записан: мест нет, ученик в листе ожидания (2-й).")
        #expect(EnrolmentText.enrolled(seated: true, position: nil, again: true) == "Ученик уже был записан: место за учеником.")
        #expect(
            EnrolmentText.cancelled(wasSeated: true, promoted: true)
                == "Запись отменена (ученик занимал место); освободившееся место получил первый из листа ожидания.")
        #expect(EnrolmentText.cancelled(wasSeated: false, promoted: false) == "Запись отменена (ученик был в листе ожидания).")
        #expect(RecommendationReviewRow.textRefusal("  \n") == "Напишите текст рекомендации.")
        #expect(RecommendationReviewRow.textRefusal(String(repeating: "а", count: 4001)) == "Не длиннее 4000 символов.")
        #expect(RecommendationReviewRow.textRefusal(String(repeating: "а", count: 4000)) == nil)
    }
}
