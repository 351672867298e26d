import Foundation
import Pages
import Testing

/// The navigator's test page and the school's activation-code answer, rendered: the navigator's
/// menu only, the choices, each refusal next to its own field, the code shown once with its end.
@Suite struct NavigatorTestPageTests {
    /// The values that switch on every optional part of the navigator's test page and the
    /// activation code's answer (merged into ``PageSafetyTests/values()``); with `text`, every
    /// string a caller or the database could supply is `text`.
    static func values(text: String? = nil) -> [String: Any] {
        let sample = { (normal: String) in text ?? normal }
        return [
            "navigatorPupils": [
                NavigatorAssignmentPage.Pupil(
                    token: "sub_AAAAAAAAAAAAAAAAAAAAAA", surname: sample("Тестова"), firstName: sample("Дарья"), patronymic: sample("Примеровна"),
                    selected: true),
                NavigatorAssignmentPage.Pupil(token: "sub_BBBBBBBBBBBBBBBBBBBBBB", surname: nil, firstName: nil, patronymic: nil),
            ],
            "hasNavigatorPupils": true, "hasWithheldNames": true,
            "navigatorTests": [NavigatorAssignmentPage.Test(code: "career-interests-7", version: 1, title: sample("Профессиональные интересы"), selected: true)],
            "hasNavigatorTests": true, "pupilError": sample(NavigatorAssignmentPage.choosePupil), "testError": sample(NavigatorAssignmentPage.chooseTest),
            "assignedTitle": sample("Профессиональные интересы"), "assignedPupil": "sub_AAAAAAAAAAAAAAAAAAAAAA",
            "alreadyTitle": sample("Профессиональные интересы"), "alreadyPupil": "sub_AAAAAAAAAAAAAAAAAAAAAA", "code": sample("ABCD-EFGH-JKLM"),
        ]
    }

    static let navigatorFrame: PageFrame = {
        var frame = PageFrame(stylesheet: PageSafetyTests.frame.stylesheet, csrf: "TOKEN", signedIn: true, menu: true, role: "педагог-навигатор")
        frame.navigator = true
        return frame
    }()

    @Test func theNavigatorsPageShowsTheChoicesAndEachRefusalNextToItsField() throws {
        let html = try PageRenderer().render(.navigatorTests, frame: Self.navigatorFrame, values: Self.values())
        #expect(html.contains(#"<form method="post" action="/app/navigator/tests" novalidate>"#))
        #expect(html.contains(#"<select id="pupil" name="pupil" aria-invalid="true" aria-describedby="pupil-error">"#))
        #expect(html.contains(#"<p class="error" id="pupil-error">Выберите ученика.</p>"#))
        #expect(html.contains(#"<p class="error" id="test-error">Выберите опубликованный тест.</p>"#))
        #expect(html.contains(#"<option value="sub_AAAAAAAAAAAAAAAAAAAAAA" selected>Тестова Дарья Примеровна (sub_AAAAAAAAAAAAAAAAAAAAAA)</option>"#))
        #expect(html.contains(#"<option value="sub_BBBBBBBBBBBBBBBBBBBBBB">имя скрыто (sub_BBBBBBBBBBBBBBBBBBBBBB)</option>"#))
        #expect(html.contains(#"<option value="career-interests-7@1" selected>Профессиональные интересы (career-interests-7, версия 1)</option>"#))
        #expect(html.contains("<button type=\"submit\">Назначить тест</button>"))
        #expect(html.contains("«Имя скрыто»: хранилище не выдало имя ученика, обычно потому, что согласие законного представителя не охватывает цель\n«Тестирование»"))
        #expect(html.contains(#"<li><a href="/app/navigator/tests">Назначение тестов</a></li>"#))
        #expect(!html.contains("/app/pupils/new"), "the school's menu is not the navigator's")
        // Only the field refused is marked.
        let one = try PageRenderer().render(
            .navigatorTests, frame: Self.navigatorFrame, values: Self.values().filter { $0.key != "pupilError" })
        #expect(one.contains(#"<select id="pupil" name="pupil">"#))
        #expect(one.contains(#"<select id="test" name="test" aria-invalid="true" aria-describedby="test-error">"#))
    }

    @Test func theActivationCodeIsShownWithItsEnd() throws {
        let html = try PageRenderer().render(
            .pupilActivationCode, frame: PageSafetyTests.frame, values: ["pupil": "sub_AAAAAAAAAAAAAAAAAAAAAA", "code": "ABCD-EFGH", "expires": "14.12.2026 10:00"])
        #expect(html.contains(#"<dd><code id="activation-code">ABCD-EFGH</code></dd>"#))
        #expect(html.contains("<dd>14.12.2026 10:00 (по UTC)</dd>"))
        #expect(html.contains(#"<a href="/app/pupils/sub_AAAAAAAAAAAAAAAAAAAAAA/consents">К странице ученика</a>"#))
    }

    @Test func aTestVersionIsOneFormValue() {
        #expect(NavigatorAssignmentPage.value(code: "career-interests-7", version: 3) == "career-interests-7@3")
        let read = NavigatorAssignmentPage.test(from: "career-interests-7@3")
        #expect(read?.code == "career-interests-7" && read?.version == 3)
        let at = NavigatorAssignmentPage.test(from: "a@b@2")
        #expect(at?.code == "a@b" && at?.version == 2)
        for refused in ["", "career-interests-7", "@1", "career-interests-7@", "career-interests-7@0", "career-interests-7@x", "x@-1"] {
            #expect(NavigatorAssignmentPage.test(from: refused) == nil, "\(refused)")
        }
    }
}
