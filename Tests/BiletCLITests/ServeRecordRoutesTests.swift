import Foundation
import PupilImport
import Testing
import ServeTestSupport

/// The school-records routes through real `bilet serve` and curl with the development
/// certificates, as a school would use them: a CSV import (and the refused ones: rows with errors,
/// Windows-1251, a wrong body type), the consent's scan up and down (its type checked from the
/// bytes), a withdrawal, a transfer that takes the sending school's access away (its 404 equals an
/// unknown token's), and a subject-access request registered, listed (by the school and by the
/// compliance officer, who sees the register and the access report but not the data held) and answered. Synthetic data
/// only. Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    @Test func schoolImportsPupilsAndKeepsTheirRecords() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        // `certs dev-setup` made the workstation certificate of school 77-0002 (school-b).
        for (login, organisation) in [("school.a", "bilet://school/77-0001"), ("school.b", "bilet://school/77-0002")] {
            let add = try run.addAccount(login, role: "school", organisation: organisation, region: "77")
            try #require(add.status == 0, "\(add.output)")
        }
        // The compliance officer's account, used from school A's workstation.
        let addOfficer = try run.addAccount("officer.one", role: "compliance_officer", organisation: "bilet://school/77-0001")
        try #require(addOfficer.status == 0, "\(addOfficer.output)")
        try run.initialiseVault()

        let json = ServeCommandTests.json
        func signIn(_ login: String, _ client: String) throws -> String {
            try run.signIn(port: port, login, client: client)
        }
        func call(_ client: String, _ token: String, _ path: String, method: String = "GET", type: String? = nil, body: String? = nil) throws -> (http: String, body: String) {
            try run.call(port: port, client: client, token: token, path, method: method, type: type, body: body)
        }
        func file(_ name: String, _ bytes: [UInt8]) throws -> String {
            let path = run.directory.path + "/" + name
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            return "@" + path
        }
        let schoolA = try signIn("school.a", "workstation")
        let schoolB = try signIn("school.b", "school-b")

        // The import: a file with errors in rows 3 and 19 stores nothing and names both.
        var lines20 = [SyntheticImport.header] + (0..<20).map { SyntheticImport.row($0, seed: 5) }
        lines20[2] = lines20[2].replacingOccurrences(of: SyntheticImport.snils(1, seed: 5), with: "123-456-789 00")
        lines20[18] = lines20[18].replacingOccurrences(of: "01.09.2025", with: "31.02.2025")
        let broken = try call(
            "workstation", schoolA, "/v1/pupils/import", method: "POST", type: "text/csv",
            body: try file("broken.csv", Array(lines20.joined(separator: "\r\n").utf8)))
        #expect(broken.http == "422", "\(broken)")
        let errors = try #require(json(broken.body)["errors"] as? [[String: Any]])
        #expect(errors.compactMap { $0["row"] as? Int } == [3, 19])
        #expect(errors.compactMap { $0["code"] as? String } == ["invalid-snils", "invalid-date"])
        #expect(json(broken.body)["code"] as? String == "import-invalid")
        // Windows-1251: refused, with the message to save the file as UTF-8.
        let cp1251: [UInt8] = Array((SyntheticImport.header + "\r\n").utf8) + [0xD2, 0xE5, 0xF1, 0xF2]
            + Array(";x;;01.01.2010;;7;y;z;;+79990000000;1;01.09.2025\r\n".utf8)
        let windows = try call("workstation", schoolA, "/v1/pupils/import", method: "POST", type: "text/csv", body: try file("cp1251.csv", cp1251))
        #expect(windows.http == "422")
        #expect(windows.body.contains("Save it as UTF-8"))
        #expect(windows.body.contains(#""code":"not-utf8""#))
        let plain = try call("workstation", schoolA, "/v1/pupils/import", method: "POST", type: "text/plain", body: "x")
        #expect(plain.http == "415")

        // The same rows, corrected: all 20 import (so none of the refused file's rows had been stored);
        // their forms also cover answering subject-access requests (the optional consent_purposes column).
        let goodLines = [SyntheticImport.header + ";consent_purposes"] + (0..<20).map { SyntheticImport.row($0, seed: 5) + ";parent_request" }
        let imported = try call(
            "workstation", schoolA, "/v1/pupils/import", method: "POST", type: "text/csv; charset=utf-8",
            body: try file("good.csv", Array(goodLines.joined(separator: "\r\n").utf8)))
        #expect(imported.http == "200", "\(imported)")
        let tokens = try #require(json(imported.body)["tokens"] as? [String])
        #expect(json(imported.body)["imported"] as? Int == 20)
        #expect(tokens.count == 20)
        let card = try call("workstation", schoolA, "/v1/pupils/\(tokens[4])?purpose=enrolment&fields=surname")
        #expect(json(card.body)["fields"] as? [String: String] == ["surname": SyntheticImport.surname(4, variant: 5)], "\(card)")

        // The consent and its scan: a PDF goes up and comes back; a PNG declared as a PDF is refused.
        let consents = try call("workstation", schoolA, "/v1/pupils/\(tokens[0])/consents")
        #expect(consents.http == "200", "\(consents)")
        let consentList = try #require(json(consents.body)["consents"] as? [[String: Any]])
        #expect(Set(consentList.compactMap { $0["scope"] as? String }) == ["enrolment", "parent_request"])
        let consent = try #require(consentList.first { $0["scope"] as? String == "enrolment" }?["consent"] as? String)
        let pdf = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        let wrongType = try call(
            "workstation", schoolA, "/v1/pupils/\(tokens[0])/consents/\(consent)/scan", method: "PUT", type: "application/pdf",
            body: try file("scan.png", png))
        #expect(wrongType.http == "422")
        #expect(wrongType.body.contains(#""code":"document-rejected""#))
        let uploaded = try call(
            "workstation", schoolA, "/v1/pupils/\(tokens[0])/consents/\(consent)/scan", method: "PUT", type: "application/pdf",
            body: try file("scan.pdf", pdf))
        #expect(uploaded.http == "204", "\(uploaded)")
        let downloaded = try call("workstation", schoolA, "/v1/pupils/\(tokens[0])/consents/\(consent)/scan")
        #expect(downloaded.http == "200")
        #expect(downloaded.body == String(decoding: pdf, as: UTF8.self))
        #expect(try call("school-b", schoolB, "/v1/pupils/\(tokens[0])/consents/\(consent)/scan").http == "404")

        // Withdrawals: while the form's other consent still covers the pupil's data there is no
        // destruction deadline; withdrawing the last one starts the 30-day deadline.
        let second = try call("workstation", schoolA, "/v1/pupils/\(tokens[1])/consents")
        let secondConsents = try #require(json(second.body)["consents"] as? [[String: Any]])
        let enrolmentConsent = try #require(secondConsents.first { $0["scope"] as? String == "enrolment" }?["consent"] as? String)
        let requestConsent = try #require(secondConsents.first { $0["scope"] as? String == "parent_request" }?["consent"] as? String)
        let first = try call("workstation", schoolA, "/v1/pupils/\(tokens[1])/consents/\(enrolmentConsent)/withdrawal", method: "POST")
        #expect(first.http == "200", "\(first)")
        #expect(first.body == #"{"destruction_deadline":null}"#, "\(first)")
        let withdrawn = try call("workstation", schoolA, "/v1/pupils/\(tokens[1])/consents/\(requestConsent)/withdrawal", method: "POST")
        #expect(withdrawn.http == "200", "\(withdrawn)")
        #expect((json(withdrawn.body)["destruction_deadline"] as? String)?.isEmpty == false)

        // A transfer: school B accepts; school A then gets exactly the unknown token's answer.
        let transfer = try call(
            "workstation", schoolA, "/v1/pupils/\(tokens[2])/transfer", method: "POST", type: "application/json", body: #"{"to_school":"77-0002"}"#)
        #expect(transfer.http == "202", "\(transfer)")
        let reference = try #require(json(transfer.body)["transfer"] as? String)
        let incoming = try call("school-b", schoolB, "/v1/transfers")
        #expect(incoming.body.contains(reference), "\(incoming)")
        #expect(try call("school-b", schoolB, "/v1/transfers/\(reference)/accept", method: "POST").http == "200")
        let lost = try call("workstation", schoolA, "/v1/pupils/\(tokens[2])/consents")
        let unknown = try call("workstation", schoolA, "/v1/pupils/sub_\(String(repeating: "A", count: 22))/consents")
        #expect(lost.http == "404")
        #expect(lost.body == unknown.body)
        #expect(try call("school-b", schoolB, "/v1/pupils/\(tokens[2])/consents").http == "200")

        // A subject-access request: registered with its deadline and the links, listed, answered.
        let today = PupilImportFile.today(now: Date().addingTimeInterval(-86_400))
        let registered = try call(
            "workstation", schoolA, "/v1/pupils/\(tokens[3])/access-requests", method: "POST", type: "application/json",
            body: #"{"received_on":"\#(today)","requester_kind":"guardian"}"#)
        #expect(registered.http == "201", "\(registered)")
        let sar = try #require(json(registered.body)["request"] as? String)
        #expect((json(registered.body)["deadline"] as? String)?.count == 10)
        #expect((json(registered.body)["links"] as? [String: String])?["report"] == "/v1/audit/report?subject=\(tokens[3])")
        #expect(try call("workstation", schoolA, "/v1/access-requests?status=open").body.contains(sar))
        #expect(try call("school-b", schoolB, "/v1/access-requests/\(sar)/answer", method: "POST").http == "404")

        // The compliance officer oversees the register across schools: tokens, schools, dates and
        // deadlines; the pupil's access report through the audit API; never the data held, and
        // it neither answers nor registers a request (the school does, citing the open request).
        let officer = try signIn("officer.one", "workstation")
        let officerAccount = try #require(json(try call("workstation", officer, "/v1/staff/me").body)["account"] as? String)
        let overseen = try call("workstation", officer, "/v1/access-requests?status=open")
        #expect(overseen.http == "200", "\(overseen)")
        let listed = try #require((json(overseen.body)["requests"] as? [[String: Any]])?.first { $0["request"] as? String == sar })
        #expect(listed["pupil"] as? String == tokens[3])
        #expect(listed["school"] as? String == "77-0001")
        #expect(listed["status"] as? String == "open")
        #expect(listed["deadline"] as? String == json(registered.body)["deadline"] as? String)
        #expect(listed["received_on"] as? String == today)
        let overdueOnly = try call("workstation", officer, "/v1/access-requests?status=overdue")
        #expect(overdueOnly.http == "200")
        #expect(!overdueOnly.body.contains(sar))
        let officerAnswer = try call("workstation", officer, "/v1/access-requests/\(sar)/answer", method: "POST")
        #expect(officerAnswer.http == "404", "\(officerAnswer)")
        #expect(officerAnswer.body.contains(#""code":"request-not-found""#))
        let officerRegister = try call(
            "workstation", officer, "/v1/pupils/\(tokens[3])/access-requests", method: "POST", type: "application/json",
            body: #"{"received_on":"\#(today)","requester_kind":"guardian"}"#)
        #expect(officerRegister.http == "404", "\(officerRegister)")
        let officerData = try call("workstation", officer, "/v1/pupils/\(tokens[3])?purpose=parent_request&fields=surname&request=\(sar)")
        #expect(officerData.http == "404", "\(officerData)")
        #expect(!officerData.body.contains(SyntheticImport.surname(3, variant: 5)))
        let report = try call("workstation", officer, "/v1/audit/report?subject=\(tokens[3])")
        #expect(report.http == "200", "\(report)")
        #expect(report.body.contains(#""subject":"\#(tokens[3])""#))
        #expect(report.body.contains("access_request.handled"))
        // The officer's listing is itself audited: access_request.handled, purpose audit_review, by the officer.
        var entries = (http: "", body: "")
        for _ in 0..<60 {
            entries = try call("workstation", officer, "/v1/audit/entries?type=access_request.handled&actor=user:\(officerAccount)&subject=\(tokens[3])")
            if entries.body.contains(#""purpose":"audit_review""#) { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(entries.http == "200", "\(entries)")
        #expect(entries.body.contains(#""purpose":"audit_review""#), "\(entries)")
        #expect(entries.body.contains(#""operation":"list""#), "\(entries)")
        #expect(entries.body.contains(#""decision":"permit""#), "\(entries)")
        // The school reads the data held citing the open request.
        let held = try call("workstation", schoolA, "/v1/pupils/\(tokens[3])?purpose=parent_request&fields=surname&request=\(sar)")
        #expect(held.http == "200", "\(held)")
        #expect(json(held.body)["fields"] as? [String: String] == ["surname": SyntheticImport.surname(3, variant: 5)])
        #expect(try call("workstation", schoolA, "/v1/access-requests/\(sar)/answer", method: "POST").http == "200")
        #expect(try call("workstation", schoolA, "/v1/access-requests?status=open").body == #"{"requests":[]}"#)

        #expect(try serve.terminate() == 0)
    }
}
