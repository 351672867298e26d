import Assessment
import Foundation
import Pages
import Testing

/// The methodologist's template with every optional part shown is as safe as the others
/// (``PageSafetyTests/unsafeParts(of:)``), each validator issue gets a Russian message, and an
/// issue is placed on the line where its question is named.
@Suite struct MethodologistPageTests {
    static var frame: PageFrame {
        var frame = PageFrame(stylesheet: "/app/static/bilet-000000000000.css", csrf: "TOKEN", signedIn: true, menu: true, role: "методист")
        frame.methodologist = true
        return frame
    }

    static func values() -> [String: Any] {
        [
            "uploaded": true, "uploadedCode": "career-interests-7", "uploadedVersion": 1, "published": true, "publishedCode": "career-interests-7",
            "publishedVersion": 1, "message": "Сообщение.", "refused": true, "issueCount": 1, "definition": #"{"code": "career-interests-7"}"#,
            "issues": [TestDefinitionPage.Issue(section: "№ 2", question: "q3", line: "17", message: "Неизвестный тип вопроса.", detail: "kind")],
            "hasVersions": true, "versionCount": 2,
            "versions": [
                TestDefinitionPage.Version(code: "career-interests-7", version: 1, title: "Тест", isDraft: false, uploaded: "07.12.2026 10:00", published: "07.12.2026 11:00"),
                TestDefinitionPage.Version(code: "career-interests-7", version: 2, title: "Тест", isDraft: true, uploaded: "07.12.2026 12:00", published: "—"),
            ],
        ]
    }

    @Test("the methodologist's templates", arguments: [PageTemplate.tests, .home])
    func methodologistTemplatesAreSafe(_ template: PageTemplate) throws {
        let html = try PageRenderer().render(template, frame: Self.frame, values: Self.values())
        #expect(PageSafetyTests.unsafeParts(of: html) == [], "\(template.rawValue)")
        for match in html.matches(of: #/<(input|select|textarea) id="([A-Za-z0-9_-]+)"/#) {
            #expect(html.contains(#"<label for="\#(match.output.2)">"#), "\(template.rawValue): \(match.output.2) has no label")
        }
        #expect(html.contains(#"<li><a href="/app/tests">Тесты</a></li>"#), "the methodologist's menu")
        #expect(!html.contains("/app/pupils/new"), "not the school's menu")
        #expect(!html.contains("/app/audit\""), "not the officer's menu")
    }

    @Test func theRefusedDefinitionShowsEachIssueWithItsLineAndTheFieldItsMessage() throws {
        let html = try PageRenderer().render(.tests, frame: Self.frame, values: Self.values())
        #expect(html.contains("<tr><td>17</td><td>№ 2</td><td><code>q3</code></td><td>Неизвестный тип вопроса.</td><td><code>kind</code></td></tr>"))
        #expect(html.contains(#"aria-invalid="true" aria-describedby="definition-error">{&quot;code&quot;: &quot;career-interests-7&quot;}</textarea>"#))
        #expect(html.contains(#"<p class="error" id="definition-error">Ошибок: 1;"#))
        // a draft has its publish form (with the token), a published version none
        #expect(html.components(separatedBy: #"action="/app/tests/career-interests-7/versions/"#).count == 2)
        #expect(html.contains(#"<form method="post" action="/app/tests/career-interests-7/versions/2/publish">"#))
    }

    @Test func everyIssueCodeHasItsOwnRussianMessage() {
        let messages = DefinitionIssue.Code.allCases.map { TestDefinitionPage.message(code: $0.rawValue) }
        #expect(Set(messages).count == DefinitionIssue.Code.allCases.count)
        #expect(!messages.contains(TestDefinitionPage.message(code: "no-such-code")))
    }

    @Test func anIssueIsPlacedOnTheLineNamingItsQuestion() {
        let text = "{\n  \"sections\": [{\n    \"questions\": [\n      {\"text\": \"q7\", \"id\": \"q2\"},\n      {\n        \"id\" : \"q7\"\n"
        #expect(TestDefinitionPage.line(of: "q7", in: text) == 6, "a text equal to the id is not the id")
        #expect(TestDefinitionPage.line(of: "q2", in: text) == 4)
        #expect(TestDefinitionPage.line(of: "q9", in: text) == nil)
        #expect(TestDefinitionPage.line(of: "#3", in: text) == nil)
        let posted = text.replacingOccurrences(of: "\n", with: "\r\n")  // as a browser posts a text field
        #expect(TestDefinitionPage.line(of: "q7", in: posted) == 6)
        let issue = TestDefinitionPage.issue(code: "unknown-kind", section: 1, question: "q7", detail: "d", in: text)
        #expect(issue == TestDefinitionPage.Issue(section: "№ 1", question: "q7", line: "6", message: "Неизвестный тип вопроса.", detail: "d"))
        let whole = TestDefinitionPage.issue(code: "invalid-attempts", section: nil, question: nil, detail: "d", in: text)
        #expect(whole.line == "—" && whole.section == "—" && whole.question == "—")
    }
}
