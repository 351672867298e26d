import Foundation
import PupilImport
import ServeTestSupport
import Testing

/// The compliance officer's oversight through a real `bilet serve`: the vault's erasure deadlines and
/// destruction register (the pages and the JSON routes answer the same, through the vault's door,
/// rule `compliance.erasure-register.oversee`, each read audited as `erasure_register.read`; any
/// other role refused and the refusal audited), and the per-pupil access report as a PDF download
/// (audited as the page). Synthetic data only.
@Suite(.serialized) struct OfficerOversightServeTests {
    typealias Answer = SchoolPagesServeTests.Answer

    /// `bilet serve` in `run` with a school's staff member `school.a` and a compliance officer
    /// `officer.one` of school 77-0001, the vault initialised: the process and the workstations' port.
    static func start(_ run: ServeRun) async throws -> (BiletProcess, Int) {
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        do {
            let port = try #require(ports["workstations"])
            for (login, role) in [("school.a", "school"), ("officer.one", "compliance_officer")] {
                let add = try run.addAccount(login, role: role, organisation: "bilet://school/77-0001", region: role == "school" ? "77" : nil)
                try #require(add.status == 0, "\(add.output)")
            }
            try run.initialiseVault()
            return (serve, port)
        } catch {
            serve.stopIfRunning()
            throw error
        }
    }

    @Test("the officer sees the erasure deadlines with the overdue one marked, and the destruction register with method and keep-until date")
    func officerReadsTheErasureDeadlinesAndTheRegister() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let (serve, port) = try await Self.start(run)
        defer { serve.stopIfRunning() }
        func page(_ path: String, cookie: String) throws -> Answer {
            try SchoolPagesServeTests.page(run, port: port, path, cookie: cookie)
        }
        let json = ServeRun.json

        // Three pupils: the first under legal hold with a retention end yesterday (overdue: the hold
        // stops the retention job), the second with a retention end in 60 days, the third erased on
        // its request over the control socket (the register's entry).
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let file = run.directory.path + "/pupils.csv"
        let lines = [SyntheticImport.header] + (0..<3).map { SyntheticImport.row($0, seed: 23) }
        try Data(lines.joined(separator: "\r\n").utf8).write(to: URL(fileURLWithPath: file))
        let imported = try run.call(
            port: port, client: "workstation", token: school, "/v1/pupils/import", method: "POST", type: "text/csv", body: "@" + file)
        try #require(imported.http == "200", "\(imported)")
        let tokens = try #require(json(imported.body)["tokens"] as? [String])
        let yesterday = PupilImportFile.today(now: Date().addingTimeInterval(-86_400))
        let later = PupilImportFile.today(now: Date().addingTimeInterval(60 * 86_400))
        for arguments in [
            ["vault", "hold", tokens[0]], ["vault", "retention", tokens[0], "--until", yesterday],
            ["vault", "retention", tokens[1], "--until", later], ["vault", "erase", tokens[2], "--reason", "subject_request"],
        ] {
            let done = try run.bilet(arguments + ["--socket", run.socket])
            try #require(done.status == 0, "\(arguments): \(done.output)")
        }

        // The JSON routes, as the officer.
        let officer = try run.signIn(port: port, "officer.one", client: "workstation")
        let deadlinesAPI = try run.call(port: port, client: "workstation", token: officer, "/v1/erasure/deadlines")
        #expect(deadlinesAPI.http == "200", "\(deadlinesAPI)")
        let deadlines = try #require(json(deadlinesAPI.body)["deadlines"] as? [[String: Any]])
        let overdueCount = try #require(json(deadlinesAPI.body)["overdue"] as? Int)
        let held = try #require(deadlines.first { $0["subject"] as? String == tokens[0] })
        #expect(held["overdue"] as? Bool == true)
        #expect(held["legal_hold"] as? Bool == true)
        #expect(held["reason"] as? String == "retention_expired")
        #expect(held["scope"] as? String == "subject")
        let kept = try #require(deadlines.first { $0["subject"] as? String == tokens[1] })
        #expect(kept["overdue"] as? Bool == false)
        #expect(!deadlines.contains { $0["subject"] as? String == tokens[2] }, "an erased subject has no deadline left")
        #expect(overdueCount == deadlines.filter { $0["overdue"] as? Bool == true }.count)
        let registerAPI = try run.call(port: port, client: "workstation", token: officer, "/v1/erasure/register")
        #expect(registerAPI.http == "200", "\(registerAPI)")
        let entries = try #require(json(registerAPI.body)["entries"] as? [[String: Any]])
        let erased = try #require(entries.first { $0["subject"] as? String == tokens[2] })
        #expect(erased["method"] as? String == "crypto_shredding")
        #expect(erased["reason"] as? String == "subject_request")
        #expect(erased["kind"] as? String == "pupil")
        let keepUntil = try #require(erased["keep_until"] as? String)
        #expect(keepUntil.hasPrefix(String(Calendar(identifier: .gregorian).component(.year, from: Date()) + 3)))

        // The pages show the same.
        let cookie = try OfficerPagesServeTests.signInThroughPages(run, port: port, "officer.one")
        let home = try page("/app/home", cookie: cookie)
        for link in ["/app/erasure/deadlines", "/app/erasure/register"] {
            #expect(home.body.contains(#"<li><a href="\#(link)">"#), "\(link)")
        }
        let deadlinesPage = try page("/app/erasure/deadlines", cookie: cookie)
        #expect(deadlinesPage.http == "200", "\(deadlinesPage)")
        #expect(deadlinesPage.body.contains(#"<p role="status" id="overdue-count">Просрочено: \#(overdueCount) из \#(deadlines.count).</p>"#))
        #expect(
            deadlinesPage.body.contains(
                #"<tr class="overdue"><td><code>\#(tokens[0])</code></td><td>ученик</td><td>все данные</td><td>срок хранения истёк</td>"#),
            "\(deadlinesPage.body)")
        #expect(deadlinesPage.body.contains("<td><strong>просрочен</strong>, юридическое удержание</td>"))
        #expect(deadlinesPage.body.contains(#"<tr><td><code>\#(tokens[1])</code></td>"#))
        #expect(!deadlinesPage.body.contains(tokens[2]))
        let registerPage = try page("/app/erasure/register", cookie: cookie)
        #expect(registerPage.http == "200", "\(registerPage)")
        let keptUntil = RussianDate.of(keepUntil)
        #expect(
            registerPage.body.contains(
                #"<tr><td><code>\#(tokens[2])</code></td><td>ученик</td><td>все данные ("#), "\(registerPage.body)")
        #expect(registerPage.body.contains("<td>криптографическое уничтожение (ключ данных уничтожен)</td><td>по требованию субъекта</td>"))
        #expect(registerPage.body.contains("<td>\(keptUntil)</td></tr>"))
        for variant in 0..<3 {
            #expect(!registerPage.body.contains(SyntheticImport.surname(variant, variant: 23)), "no personal data")
            #expect(!deadlinesPage.body.contains(SyntheticImport.surname(variant, variant: 23)), "no personal data")
        }

        // Each read audited: erasure_register.read by the officer, purpose audit_review, two of each view.
        let officerAccount = try #require(json(try run.call(port: port, client: "workstation", token: officer, "/v1/staff/me").body)["account"] as? String)
        let reads = json(
            try run.call(
                port: port, client: "workstation", token: officer, "/v1/audit/entries?type=erasure_register.read&actor=user:\(officerAccount)"
            ).body)["entries"] as? [[String: Any]] ?? []
        let views = reads.compactMap { ($0["fields"] as? [String: Any])?["view"] as? String }
        #expect(views.sorted() == ["deadlines", "deadlines", "register", "register"], "\(reads)")
        #expect(reads.allSatisfy { $0["purpose"] as? String == "audit_review" && $0["decision"] as? String == "permit" })

        // Another role: the school refused the routes (403 forbidden, audited as policy.decided deny)
        // and the pages (403).
        for path in ["/v1/erasure/deadlines", "/v1/erasure/register"] {
            let refused = try run.call(port: port, client: "workstation", token: school, path)
            #expect(refused.http == "403", "\(path): \(refused)")
            #expect(json(refused.body)["code"] as? String == "forbidden", "\(refused)")
        }
        let schoolAccount = try #require(json(try run.call(port: port, client: "workstation", token: school, "/v1/staff/me").body)["account"] as? String)
        let denials = (json(
            try run.call(
                port: port, client: "workstation", token: officer, "/v1/audit/entries?type=policy.decided&actor=user:\(schoolAccount)&decision=deny"
            ).body)["entries"] as? [[String: Any]] ?? []).filter { ($0["fields"] as? [String: Any])?["resource"] as? String == "erasure_register" }
        #expect(denials.count == 2, "\(denials)")
        let schoolCookie = try OfficerPagesServeTests.signInThroughPages(run, port: port, "school.a")
        for path in ["/app/erasure/deadlines", "/app/erasure/register"] {
            let answer = try page(path, cookie: schoolCookie)
            #expect(answer.http == "403", "\(path): \(answer)")
        }
        #expect(try SchoolPagesServeTests.page(run, port: port, "/app/erasure/register").http == "303", "no session: to the sign-in")
    }
}

extension OfficerOversightServeTests {
    @Test("the officer downloads a pupil's access report as a PDF: audited as the page, an attachment named by token, the Russian text extractable")
    func officerDownloadsTheAccessReportAsPDF() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let (serve, port) = try await Self.start(run)
        defer { serve.stopIfRunning() }
        let json = ServeRun.json
        let school = try run.signIn(port: port, "school.a", client: "workstation")
        let file = run.directory.path + "/pupils.csv"
        try Data(([SyntheticImport.header, SyntheticImport.row(0, seed: 29)]).joined(separator: "\r\n").utf8).write(to: URL(fileURLWithPath: file))
        let imported = try run.call(
            port: port, client: "workstation", token: school, "/v1/pupils/import", method: "POST", type: "text/csv", body: "@" + file)
        try #require(imported.http == "200", "\(imported)")
        let pupil = try #require((json(imported.body)["tokens"] as? [String])?.first)
        let card = try run.call(port: port, client: "workstation", token: school, "/v1/pupils/\(pupil)?purpose=enrolment&fields=surname")
        #expect(card.http == "200", "\(card)")

        let cookie = try OfficerPagesServeTests.signInThroughPages(run, port: port, "officer.one")
        let report = try SchoolPagesServeTests.page(run, port: port, "/app/audit/report?subject=\(pupil)", cookie: cookie)
        #expect(report.body.contains(#"<a href="/app/audit/report/pdf?subject=\#(pupil)" download>Скачать отчёт в PDF</a>"#))

        /// The PDF into a file: status, headers, bytes.
        func download(_ path: String, cookie: String) throws -> (http: String, headers: String, bytes: [UInt8]) {
            let headerFile = run.directory.path + "/pdf-headers-\(UUID().uuidString)"
            let bodyFile = run.directory.path + "/report-\(UUID().uuidString).pdf"
            let answer = try run.curl(
                port: port, path: path, client: "workstation",
                extra: ["-D", headerFile, "-o", bodyFile, "-H", "Cookie: __Host-bilet-session=\(cookie)"])
            let headers = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
            let bytes = FileManager.default.contents(atPath: bodyFile).map(Array.init) ?? []
            return (answer.http.trimmingCharacters(in: .whitespacesAndNewlines), headers.lowercased(), bytes)
        }
        let pdf = try download("/app/audit/report/pdf?subject=\(pupil)", cookie: cookie)
        #expect(pdf.http == "200", "\(pdf.headers)")
        #expect(pdf.headers.contains("content-type: application/pdf\r\n"))
        #expect(pdf.headers.contains("content-disposition: attachment; filename=\"bilet-access-report-\(pupil.lowercased()).pdf\"\r\n"))
        #expect(pdf.headers.contains("cache-control: no-store"))
        let (status, text) = try PDFTests.text(of: pdf.bytes)
        #expect(status == 0)
        #expect(text.contains("Отчёт о доступе к данным ученика"), "\(text.prefix(500))")
        #expect(text.contains("Ученик (идентификатор): \(pupil)"))
        #expect(text.contains("pii.read"))
        #expect(text.contains("цель: enrolment"))
        #expect(!text.contains(SyntheticImport.surname(0, variant: 29)), "no personal data in the PDF")

        // Audited as the page: two audit.read "report" records by the officer (the page's and the PDF's).
        let officer = try run.signIn(port: port, "officer.one", client: "workstation")
        let account = try #require(json(try run.call(port: port, client: "workstation", token: officer, "/v1/staff/me").body)["account"] as? String)
        let reads = json(
            try run.call(port: port, client: "workstation", token: officer, "/v1/audit/entries?type=audit.read&actor=user:\(account)").body
        )["entries"] as? [[String: Any]] ?? []
        let tools = reads.compactMap { ($0["fields"] as? [String: Any])?["query"] as? String }
        #expect(tools.filter { $0 == "report" }.count == 2, "\(tools)")

        // Refusals: a malformed subject 400, another role 403, no session to the sign-in.
        #expect(try download("/app/audit/report/pdf?subject=nothing", cookie: cookie).http == "400")
        #expect(try download("/app/audit/report/pdf", cookie: cookie).http == "400")
        let schoolCookie = try OfficerPagesServeTests.signInThroughPages(run, port: port, "school.a")
        #expect(try download("/app/audit/report/pdf?subject=\(pupil)", cookie: schoolCookie).http == "403")
        #expect(try SchoolPagesServeTests.page(run, port: port, "/app/audit/report/pdf?subject=\(pupil)").http == "303")
    }
}

/// `ДД.ММ.ГГГГ` of an ISO 8601 date-time, as the pages write it.
enum RussianDate {
    static func of(_ iso: String) -> String {
        iso.prefix(10).split(separator: "-").reversed().joined(separator: ".")
    }
}
