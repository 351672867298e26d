import Foundation
import ServeTestSupport
import Testing

/// The security administrator's pages through a real `bilet serve` (with its CA process) and curl
/// over mutual TLS with the development operator certificate: the inventory and the certificates
/// expiring within 30 days, each the same as `GET /v1/certificates` answers; a revocation without
/// a reason refused next to the field, then with one, seen through the API and in the audit log;
/// the pages and the API refused to another role.
@Suite(.serialized) struct SecurityPagesServeTests {
    typealias Answer = SchoolPagesServeTests.Answer

    @Test("the security administrator lists the certificates, those expiring within 30 days, and revokes one with a reason")
    func securityAdminWorksThroughThePages() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        try run.addAccounts([
            ("security.one", "security_admin", "bilet://operator/op-1", nil), ("school.a", "school", "bilet://school/77-0001", "77"),
            ("officer.one", "compliance_officer", "bilet://school/77-0001", nil),
        ])
        try run.initialiseVault()
        // A workstation certificate that expires in 10 days, signed by the administrator's command line.
        let environment = run.environment.merging(["BILET_CONFIG": run.config]) { $1 }
        let requested = try BiletProcess.run(
            ["certs", "request", "--organisation", "school/77-0001", "--device", "9", "--key-out", run.directory.path + "/ws9.key",
             "--csr-out", run.directory.path + "/ws9.csr"], environment: environment)
        try #require(requested.status == 0, "\(requested.output)")
        let signed = try BiletProcess.run(
            ["certs", "sign", "--csr", run.directory.path + "/ws9.csr", "--organisation", "school/77-0001", "--device", "9", "--days", "10",
             "--out", run.directory.path + "/ws9.pem", "--ca-dir", run.certs + "/ca", "--issuing-passphrase-file", run.certs + "/ca/issuing.passphrase",
             "--actor", "admin:synthetic"], environment: environment)
        try #require(signed.status == 0, "\(signed.output)")
        func page(_ path: String, method: String = "GET", cookie: String, form: [(String, String)]? = nil) throws -> Answer {
            try SchoolPagesServeTests.page(run, port: port, client: "operator", path, method: method, cookie: cookie, form: form)
        }
        let json = ServeRun.json

        let cookie = try OfficerPagesServeTests.signInThroughPages(run, port: port, "security.one", client: "operator")
        let home = try page("/app/home", cookie: cookie)
        #expect(home.http == "200", "\(home)")
        #expect(home.body.contains("Вы вошли как администратор безопасности"))
        #expect(home.body.contains(#"<li><a href="/app/certificates">Сертификаты</a></li>"#))
        let admin = try run.signIn(port: port, "security.one", client: "operator")

        // The inventory: the same certificates as the API, soonest expiry first.
        let all = try page("/app/certificates", cookie: cookie)
        #expect(all.http == "200", "\(all)")
        #expect(all.headers["content-security-policy"] == SchoolPagesServeTests.pageCSP)
        let api = try run.call(port: port, client: "operator", token: admin, "/v1/certificates")
        #expect(api.http == "200", "\(api)")
        let certificates = try #require(json(api.body)["certificates"] as? [[String: Any]])
        #expect(certificates.count > 5, "the development PKI's certificates")
        #expect(all.body.contains("<h2>Сертификатов: \(certificates.count)</h2>"), "\(all)")
        let shortLived = try #require(certificates.first { ($0["identity"] as? String) == "bilet://school/77-0001/ws/9" })
        let serial = try #require(shortLived["serial"] as? String)
        #expect(certificates.first?["serial"] as? String == serial, "soonest expiry first")
        #expect(all.body.contains(#"<tr class="overdue"><td class="hash"><code>\#(serial)</code></td><td>рабочее место</td><td>school/77-0001</td>"#), "\(all)")
        #expect(all.body.contains("<td>корневой УЦ</td>"))

        // Expiring within 30 days: only the short-lived one, as the API's window.
        let expiring = try page("/app/certificates?expiring=30", cookie: cookie)
        #expect(expiring.http == "200", "\(expiring)")
        let apiExpiring = try run.call(port: port, client: "operator", token: admin, "/v1/certificates?expiring_within_days=30")
        let soon = try #require(json(apiExpiring.body)["certificates"] as? [[String: Any]], "\(apiExpiring)")
        #expect(soon.map { $0["serial"] as? String } == [serial])
        #expect(expiring.body.contains("<h2>Сертификатов: 1</h2>"), "\(expiring)")
        #expect(expiring.body.contains(#"<a href="/app/certificates/\#(serial)/revoke">Отозвать</a>"#))
        #expect(try page("/app/certificates?expiring=0", cookie: cookie).http == "400")
        #expect(try run.call(port: port, client: "operator", token: admin, "/v1/certificates?expiring_within_days=1000").http == "400")

        // Revoking: the form, a missing reason next to its field (nothing revoked), no token 403, then revoked.
        let form = try page("/app/certificates/\(serial)/revoke", cookie: cookie)
        #expect(form.http == "200", "\(form)")
        #expect(form.body.contains("<dt>Идентичность</dt><dd>bilet://school/77-0001/ws/9</dd>"))
        let csrf = try #require(form.csrf)
        let noReason = try page("/app/certificates/\(serial)/revoke", method: "POST", cookie: cookie, form: [("_csrf", csrf), ("reason", "")])
        #expect(noReason.http == "422", "\(noReason)")
        #expect(noReason.body.contains(#"<p class="error" id="reason-error">Выберите причину отзыва.</p>"#), "\(noReason)")
        #expect(try page("/app/certificates/\(serial)/revoke", method: "POST", cookie: cookie, form: [("reason", "key_compromise")]).http == "403")
        let stillActive = try run.call(port: port, client: "operator", token: admin, "/v1/certificates?state=active")
        #expect((json(stillActive.body)["certificates"] as? [[String: Any]])?.contains { $0["serial"] as? String == serial } == true)
        let revoked = try page("/app/certificates/\(serial)/revoke", method: "POST", cookie: cookie, form: [("_csrf", csrf), ("reason", "key_compromise")])
        #expect(revoked.http == "200", "\(revoked)")
        #expect(revoked.body.contains("Сертификат <code>\(serial)</code> отозван: ключ скомпрометирован."), "\(revoked)")
        let afterwards = try run.call(port: port, client: "operator", token: admin, "/v1/certificates?state=revoked")
        let revokedList = try #require(json(afterwards.body)["certificates"] as? [[String: Any]], "\(afterwards)")
        #expect(revokedList.map { $0["serial"] as? String } == [serial])
        #expect(revokedList.first?["revocation_reason"] as? String == "key_compromise")
        let again = try page("/app/certificates/\(serial)/revoke", method: "POST", cookie: cookie, form: [("_csrf", csrf), ("reason", "superseded")])
        #expect(again.http == "409", "\(again)")
        #expect(again.body.contains("Этот сертификат уже отозван."))
        #expect(try page("/app/certificates/ffff/revoke", cookie: cookie).http == "404")

        // The audit log: the listings and the revocation, with the administrator as actor.
        let officer = try run.signIn(port: port, "officer.one", client: "workstation")
        let listed = try run.call(port: port, client: "workstation", token: officer, "/v1/audit/entries?type=certificate.listed&limit=100")
        let listings = try #require(json(listed.body)["entries"] as? [[String: Any]], "\(listed)")
        #expect(listings.count >= 6, "\(listings.count)")
        #expect(Set(listings.compactMap { $0["actor"] as? String }).count == 1)
        let revocations = try run.call(port: port, client: "workstation", token: officer, "/v1/audit/entries?type=certificate.revoked&limit=100")
        let revocation = try #require((json(revocations.body)["entries"] as? [[String: Any]])?.last, "\(revocations)")
        #expect(revocation["actor"] as? String == listings.first?["actor"] as? String)

        // Another role: the pages refused, the API refused (audited as a denial).
        let school = try OfficerPagesServeTests.signInThroughPages(run, port: port, "school.a")
        #expect(try SchoolPagesServeTests.page(run, port: port, "/app/certificates", cookie: school).http == "403")
        let schoolToken = try run.signIn(port: port, "school.a", client: "workstation")
        let refused = try run.call(port: port, client: "workstation", token: schoolToken, "/v1/certificates")
        #expect(refused.http == "403", "\(refused)")
        let schoolRevoke = try run.call(
            port: port, client: "workstation", token: schoolToken, "/v1/certificates/\(serial)/revoke", method: "POST", type: "application/json",
            body: #"{"reason":"key_compromise"}"#)
        #expect(schoolRevoke.http == "403", "\(schoolRevoke)")
        let signedOut = try SchoolPagesServeTests.page(run, port: port, client: "operator", "/app/certificates")
        #expect(signedOut.http == "303")
    }
}
