import Assessment
import Foundation
import ServeTestSupport
import Testing

/// The methodologist's page through a real `bilet serve` and curl over mutual TLS with the
/// development operator certificate: a definition with mistakes refused with each issue next to
/// its line, the corrected one uploaded as a draft and published, each seen through
/// `GET /v1/assessment/tests`; the page refused to another role and without the CSRF token.
@Suite(.serialized) struct MethodologistPagesServeTests {
    typealias Answer = SchoolPagesServeTests.Answer

    @Test("the methodologist uploads a definition, sees its mistakes next to their lines, uploads it corrected and publishes it")
    func methodologistWorksThroughThePages() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        try run.addAccounts([
            ("method.one", "methodologist", "bilet://operator/op-1", nil), ("school.a", "school", "bilet://school/77-0001", "77"),
        ])
        try run.initialiseVault()
        func page(_ path: String, method: String = "GET", cookie: String, form: [(String, String)]? = nil, upload: (String, String)? = nil) throws -> Answer {
            try SchoolPagesServeTests.page(
                run, port: port, client: "operator", path, method: method, cookie: cookie, form: form,
                upload: upload.map { (token: $0.0, file: $0.1) }, uploadType: "application/json")
        }

        let cookie = try OfficerPagesServeTests.signInThroughPages(run, port: port, "method.one", client: "operator")
        let home = try page("/app/home", cookie: cookie)
        #expect(home.http == "200", "\(home)")
        #expect(home.body.contains("Вы вошли как методист"), "\(home)")
        #expect(home.body.contains(#"<li><a href="/app/tests">Тесты</a></li>"#))
        #expect(!home.body.contains("/app/pupils/new"))
        let empty = try page("/app/tests", cookie: cookie)
        #expect(empty.http == "200", "\(empty)")
        #expect(empty.headers["content-security-policy"] == SchoolPagesServeTests.pageCSP)
        #expect(empty.body.contains("Ни одного теста ещё не загружено."))
        #expect(empty.body.contains(#"<form method="post" action="/app/tests" enctype="multipart/form-data" novalidate>"#))
        let csrf = try #require(empty.csrf)

        // A definition with two mistakes: an unknown kind in question q3 and no attempt allowed.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let good = String(decoding: try encoder.encode(ExampleTest.definition()), as: UTF8.self)
        let lines = good.split(separator: "\n", omittingEmptySubsequences: false)
        let q3Line = try #require(lines.firstIndex { $0.contains(#""id" : "q3""#) }) + 1
        var bad = good.replacingOccurrences(of: #""max_attempts" : 1"#, with: #""max_attempts" : 0"#)
        let scale = try #require(bad.range(of: #""kind" : "scale""#), "q3 is the first scale question")
        bad.replaceSubrange(scale, with: #""kind" : "essay""#)
        #expect(bad != good)
        let file = run.directory.path + "/definition.json"
        try Data(bad.utf8).write(to: URL(fileURLWithPath: file))
        let refused = try page("/app/tests", method: "POST", cookie: cookie, upload: (csrf, file))
        #expect(refused.http == "422", "\(refused)")
        #expect(refused.body.contains("Определение не загружено, ничего не сохранено: ошибок 2."), "\(refused)")
        #expect(refused.body.contains("<tr><td>\(q3Line)</td><td>№ 2</td><td><code>q3</code></td><td>Неизвестный тип вопроса.</td>"), "\(refused)")
        #expect(refused.body.contains("<tr><td>—</td><td>—</td><td><code>—</code></td><td>Число попыток: от 1 до 10.</td>"), "\(refused)")
        #expect(refused.body.contains(#"<p class="error" id="definition-error">"#))
        #expect(refused.body.contains("&quot;max_attempts&quot; : 0"), "the definition stays in its field to be corrected")
        // The API refuses the same definition with the same issues, and nothing was stored.
        let methodologist = try run.signIn(port: port, "method.one", client: "operator")
        let api = try run.call(port: port, client: "operator", token: methodologist, "/v1/assessment/tests", method: "POST", type: "application/json", body: bad)
        #expect(api.http == "400")
        #expect((ServeRun.json(api.body)["issues"] as? [Any])?.count == 2, "\(api)")
        let none = try run.call(port: port, client: "operator", token: methodologist, "/v1/assessment/tests")
        #expect((ServeRun.json(none.body)["tests"] as? [Any])?.count == 0, "\(none)")

        // Without the token nothing is uploaded.
        try Data(good.utf8).write(to: URL(fileURLWithPath: file))
        #expect(try page("/app/tests", method: "POST", cookie: cookie, upload: ("forged", file)).http == "403")
        // The corrected file is a draft, listed as the API lists it; then published.
        let uploaded = try page("/app/tests", method: "POST", cookie: cookie, upload: (csrf, file))
        #expect(uploaded.http == "201", "\(uploaded)")
        #expect(uploaded.body.contains("Загружен черновик <code>career-interests-7</code>, версия 1."))
        #expect(uploaded.body.contains("<td>черновик</td>"))
        let publishForm = #"<form method="post" action="/app/tests/career-interests-7/versions/1/publish">"#
        #expect(uploaded.body.contains(publishForm))
        let drafts = try run.call(port: port, client: "operator", token: methodologist, "/v1/assessment/tests")
        let draft = try #require((ServeRun.json(drafts.body)["tests"] as? [[String: Any]])?.first, "\(drafts)")
        #expect(draft["state"] as? String == "draft")
        #expect(try page("/app/tests/career-interests-7/versions/1/publish", method: "POST", cookie: cookie).http == "403")
        let published = try page("/app/tests/career-interests-7/versions/1/publish", method: "POST", cookie: cookie, form: [("_csrf", csrf)])
        #expect(published.http == "200", "\(published)")
        #expect(published.body.contains("Опубликована версия 1 теста <code>career-interests-7</code>"))
        #expect(published.body.contains("<td>опубликована</td>"))
        #expect(!published.body.contains(publishForm))
        let listed = try run.call(port: port, client: "operator", token: methodologist, "/v1/assessment/tests")
        #expect((ServeRun.json(listed.body)["tests"] as? [[String: Any]])?.first?["state"] as? String == "published", "\(listed)")
        // Publishing again: the API's refusal, in Russian.
        let again = try page("/app/tests/career-interests-7/versions/1/publish", method: "POST", cookie: cookie, form: [("_csrf", csrf)])
        #expect(again.http == "409", "\(again)")

        // Another role: refused the page; the school's page refused to the methodologist.
        let school = try OfficerPagesServeTests.signInThroughPages(run, port: port, "school.a")
        #expect(try SchoolPagesServeTests.page(run, port: port, "/app/tests", cookie: school).http == "403")
        #expect(try page("/app/pupils/new", cookie: cookie).http == "403")
        // No session: the sign-in.
        let signedOut = try SchoolPagesServeTests.page(run, port: port, client: "operator", "/app/tests")
        #expect(signedOut.http == "303")
        #expect(signedOut.headers["location"] == "/app/sign-in")
    }
}
