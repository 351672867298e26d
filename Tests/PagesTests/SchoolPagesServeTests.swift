import Foundation
import PupilImport
import ServeTestSupport
import Testing

/// The school's pages through a real `bilet serve` (gateway, vault, CA and sequencer processes, a
/// throwaway PostgreSQL) and curl over mutual TLS with the development workstation certificates,
/// as a browser at a school's workstation uses them. Synthetic data only.
@Suite(.serialized) struct SchoolPagesServeTests {
    static let pageCSP =
        "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// One answer: status, headers (lower-cased names; the last value of a repeated one) and body.
    struct Answer: CustomStringConvertible {
        let http: String
        let headers: [String: String]
        let body: String
        var description: String { "HTTP \(http) \(headers) \(body.prefix(600))" }

        /// The value of the first `name="_csrf"` field.
        var csrf: String? {
            body.firstMatch(of: #/name="_csrf" value="([A-Za-z0-9_-]+)"/#).map { String($0.output.1) }
        }
    }

    /// A page request on `port` presenting `client`'s certificate, with the session `cookie` and a
    /// form of `fields` (sent as `application/x-www-form-urlencoded`).
    static func page(
        _ run: ServeRun, port: Int, client: String? = "workstation", _ path: String, method: String = "GET", cookie: String? = nil,
        preSession: String? = nil, form: [(String, String)]? = nil, bearer: String? = nil, upload: (token: String, file: String)? = nil,
        uploadType: String = "text/csv", headers extraHeaders: [String] = []
    ) throws -> Answer {
        let headerFile = run.directory.path + "/headers-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: headerFile) }
        var extra = ["-X", method, "-D", headerFile]
        let cookies = [cookie.map { "__Host-bilet-session=\($0)" }, preSession.map { "__Host-bilet-pre=\($0)" }].compactMap { $0 }
        if !cookies.isEmpty { extra += ["-H", "Cookie: " + cookies.joined(separator: "; ")] }
        for header in extraHeaders { extra += ["-H", header] }
        if let bearer { extra += ["-H", "Authorization: Bearer \(bearer)"] }
        if let form {
            let allowed = CharacterSet.alphanumerics.subtracting(CharacterSet(charactersIn: "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ"))
            let body = form.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
            extra += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body]
        }
        if let upload { extra += ["-F", "_csrf=\(upload.token)", "-F", "file=@\(upload.file);type=\(uploadType)"] }
        let answer = try run.curl(port: port, path: path, client: client, extra: extra)
        var headers: [String: String] = [:]
        for line in ((try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? "").split(separator: "\r\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(http: answer.http, headers: headers, body: answer.body)
    }

    static let pupil: [(String, String)] = [
        ("surname", "Тестова"), ("first_name", "Анна"), ("patronymic", "Петровна"), ("birth_date", "2011-04-02"), ("grade", "9"),
        ("class", "Б"), ("snils", "112-233-445 95"), ("guardian_surname", "Тестова"), ("guardian_first_name", "Мария"),
        ("guardian_relation", "mother"), ("guardian_phone", "+7 900 000-00-01"), ("consent_number", "17/2025"),
        ("consent_signed_on", "2025-09-01"), ("pupil_signed", "on"),
    ]

    @Test("a school's staff member signs in, consents and registers a pupil through the pages; the safety measures hold")
    func schoolStaffWorkThroughThePages() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let pupils = try #require(ports["pupils"])
        let add = try run.addAccount("school.a", role: "school", organisation: "bilet://school/77-0001", region: "77")
        try #require(add.status == 0, "\(add.output)")
        try run.initialiseVault()

        // The sign-in page: Russian, the pages' CSP and the gateway's security headers.
        let signInPage = try Self.page(run, port: port, "/app/sign-in")
        #expect(signInPage.http == "200", "\(signInPage)")
        #expect(signInPage.headers["content-type"] == "text/html; charset=utf-8")
        #expect(signInPage.headers["content-security-policy"] == Self.pageCSP)
        #expect(signInPage.headers["x-content-type-options"] == "nosniff")
        #expect(signInPage.headers["x-frame-options"] == "DENY")
        #expect(signInPage.headers["referrer-policy"] == "no-referrer")
        #expect(signInPage.headers["strict-transport-security"] == "max-age=63072000; includeSubDomains")
        #expect(signInPage.headers["cache-control"] == "no-store")
        #expect(signInPage.body.contains(#"<html lang="ru">"#))
        #expect(signInPage.body.contains("<h1>Вход для сотрудников</h1>"))
        let signInToken = try #require(signInPage.csrf)
        // The sign-in form's token is bound to the certificate and to this pre-session cookie.
        let preSetCookie = try #require(signInPage.headers["set-cookie"])
        let preMatch = try #require(preSetCookie.wholeMatch(of: #/__Host-bilet-pre=([A-Za-z0-9_-]{43}); Path=/; Secure; HttpOnly; SameSite=Strict/#))
        let pre = String(preMatch.output.1)
        let samePre = try Self.page(run, port: port, "/app/sign-in", preSession: pre)
        #expect(samePre.headers["set-cookie"] == nil, "a browser that holds a pre-session keeps it")
        #expect(samePre.csrf == signInToken)

        // The stylesheet under its hashed name, cached for a year; another name is not served.
        let stylesheet = try #require(signInPage.body.firstMatch(of: #/href="(/app/static/bilet-[0-9a-f]{12}\.css)"/#)?.output.1)
        let css = try Self.page(run, port: port, String(stylesheet))
        #expect(css.http == "200")
        #expect(css.headers["content-type"] == "text/css; charset=utf-8")
        #expect(css.headers["cache-control"] == "public, max-age=31536000, immutable")
        #expect(try Self.page(run, port: port, "/app/static/bilet-000000000000.css").http == "404")

        // Without a client certificate: the workstations' listener refuses the handshake; the
        // pupils' listener (no certificates) answers the sign-in page 403.
        let anonymous = try run.curl(port: port, path: "/app/sign-in", client: nil)
        #expect(anonymous.exit != 0)
        #expect(anonymous.http == "000")
        let noCertificate = try Self.page(run, port: pupils, client: nil, "/app/sign-in")
        #expect(noCertificate.http == "403")
        #expect(noCertificate.body.contains("Вход возможен только с рабочего места: браузер не предъявил сертификат рабочего места."))

        // Signing in: without the CSRF token 403; a wrong password 401 with the message; then the cookie.
        let credentials = [("login", "school.a"), ("password", ServeRun.password)]
        let noToken = try Self.page(run, port: port, "/app/sign-in", method: "POST", form: credentials)
        #expect(noToken.http == "403", "\(noToken)")
        #expect(noToken.body.contains("Форма устарела или отправлена не с этой страницы."))
        #expect(noToken.headers["set-cookie"] == nil)
        // Login CSRF: the right token without the pre-session it was made for (another site's post
        // carries no SameSite=Strict cookie), or with another browser's, is refused.
        let noPre = try Self.page(run, port: port, "/app/sign-in", method: "POST", form: [("_csrf", signInToken)] + credentials)
        #expect(noPre.http == "403", "\(noPre)")
        #expect(noPre.headers["set-cookie"] == nil)
        let otherPre = try Self.page(
            run, port: port, "/app/sign-in", method: "POST", preSession: String(repeating: "A", count: 43), form: [("_csrf", signInToken)] + credentials)
        #expect(otherPre.http == "403", "\(otherPre)")
        // A post the browser says another site made is refused whatever it carries.
        let crossSite = try Self.page(
            run, port: port, "/app/sign-in", method: "POST", preSession: pre, form: [("_csrf", signInToken)] + credentials,
            headers: ["Sec-Fetch-Site: cross-site"])
        #expect(crossSite.http == "403", "\(crossSite)")
        #expect(crossSite.body.contains("Форма устарела или отправлена не с этой страницы."))
        let wrong = try Self.page(
            run, port: port, "/app/sign-in", method: "POST", preSession: pre,
            form: [("_csrf", signInToken), ("login", "school.a"), ("password", "wrong pass")])
        #expect(wrong.http == "401", "\(wrong)")
        #expect(wrong.body.contains("Вход не выполнен: неверный логин или пароль"))
        #expect(wrong.body.contains(#"value="school.a""#))
        let signedIn = try Self.page(run, port: port, "/app/sign-in", method: "POST", preSession: pre, form: [("_csrf", signInToken)] + credentials)
        #expect(signedIn.http == "303", "\(signedIn)")
        #expect(signedIn.headers["location"] == "/app/home")
        let setCookie = try #require(signedIn.headers["set-cookie"])
        let cookieMatch = try #require(setCookie.wholeMatch(of: #/__Host-bilet-session=([A-Za-z0-9_-]{43}); Path=/; Secure; HttpOnly; SameSite=Strict/#))
        let cookie = String(cookieMatch.output.1)

        // The cookie is never accepted by the API: /v1/ stays bearer-only.
        let apiWithCookie = try Self.page(run, port: port, "/v1/staff/me", cookie: cookie)
        #expect(apiWithCookie.http == "401", "\(apiWithCookie)")
        #expect(apiWithCookie.body.contains(#""code":"session-required""#))
        // The session is bound to the certificate it was opened with: another workstation's cookie use fails.
        let otherWorkstation = try Self.page(run, port: port, client: "school-b", "/app/home", cookie: cookie)
        #expect(otherWorkstation.http == "303")
        #expect(otherWorkstation.headers["location"] == "/app/sign-in")
        #expect(otherWorkstation.headers["set-cookie"] == "__Host-bilet-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict")

        // The staff consent comes first; a consent form without the token changes nothing.
        let beforeConsent = try Self.page(run, port: port, "/app/home", cookie: cookie)
        #expect(beforeConsent.http == "303")
        #expect(beforeConsent.headers["location"] == "/app/consent")
        let forged = try Self.page(run, port: port, "/app/consent", method: "POST", cookie: cookie, form: [("version", "staff-pd-2026-1")])
        #expect(forged.http == "403")
        let stillNoConsent = try Self.page(run, port: port, "/app/home", cookie: cookie)
        #expect(stillNoConsent.headers["location"] == "/app/consent")
        let consentPage = try Self.page(run, port: port, "/app/consent", cookie: cookie)
        #expect(consentPage.http == "200")
        #expect(consentPage.body.contains("<h1>Согласие на обработку персональных данных</h1>"))
        let sessionToken = try #require(consentPage.csrf)
        #expect(sessionToken != signInToken)
        let consented = try Self.page(
            run, port: port, "/app/consent", method: "POST", cookie: cookie, form: [("_csrf", sessionToken), ("version", "staff-pd-2026-1")])
        #expect(consented.http == "303", "\(consented)")
        #expect(consented.headers["location"] == "/app/home")

        // The home page over mutual TLS with the cookie.
        let home = try Self.page(run, port: port, "/app/home", cookie: cookie)
        #expect(home.http == "200", "\(home)")
        #expect(home.headers["content-security-policy"] == Self.pageCSP)
        #expect(home.body.contains("<p>Вы вошли как сотрудник школы, организация <strong>bilet://school/77-0001</strong>.</p>"))
        #expect(home.body.contains(#"<a href="/app/pupils/new">Зарегистрировать ученика</a>"#))

        // The API, with its own bearer session, to see what the pages did.
        let bearer = try run.signIn(port: port, "school.a", client: "workstation")
        func found() throws -> String {
            try run.call(
                port: port, client: "workstation", token: bearer, "/v1/pupils/search", method: "POST", type: "application/json",
                body: #"{"snils":"112-233-445 95"}"#
            ).body
        }

        // The other way round: the API's bearer token is no page session, and the cookie is nothing
        // on the pupils' listener (no certificate to bind it to).
        let pageWithBearer = try Self.page(run, port: port, "/app/home", bearer: bearer)
        #expect(pageWithBearer.http == "303")
        #expect(pageWithBearer.headers["location"] == "/app/sign-in")
        // no cookie presented, none cleared (a link from another site carries no SameSite=Strict cookie)
        #expect(pageWithBearer.headers["set-cookie"] == nil)
        let cookieOnPupils = try Self.page(run, port: pupils, client: nil, "/app/home", cookie: cookie)
        #expect(cookieOnPupils.http == "303")
        #expect(cookieOnPupils.headers["location"] == "/app/sign-in")
        #expect(cookieOnPupils.headers["set-cookie"] == "__Host-bilet-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict")

        // Registering: without the token, or with the sign-in form's token, 403 and no pupil.
        let form = try Self.page(run, port: port, "/app/pupils/new", cookie: cookie)
        #expect(form.http == "200")
        #expect(form.body.contains(#"<label for="snils">СНИЛС</label>"#))
        let formToken = try #require(form.csrf)
        #expect(formToken == sessionToken, "a session's forms share its token")
        let withoutToken = try Self.page(run, port: port, "/app/pupils", method: "POST", cookie: cookie, form: Self.pupil)
        #expect(withoutToken.http == "403")
        #expect(withoutToken.body.contains("Форма устарела или отправлена не с этой страницы."))
        let wrongToken = try Self.page(run, port: port, "/app/pupils", method: "POST", cookie: cookie, form: [("_csrf", signInToken)] + Self.pupil)
        #expect(wrongToken.http == "403")
        #expect(try found() == #"{"pupils":[]}"#)

        // A refused value: its message next to its field, the values typed shown again, nothing stored.
        let invalid = try Self.page(
            run, port: port, "/app/pupils", method: "POST", cookie: cookie,
            form: [("_csrf", formToken)] + Self.pupil.map { $0.0 == "snils" ? ("snils", "112-233-445 96") : $0 })
        #expect(invalid.http == "422", "\(invalid)")
        #expect(
            invalid.body.contains(
                #"<input id="snils" name="snils" type="text" value="112-233-445 96" aria-invalid="true" aria-describedby="snils-error">"#))
        #expect(invalid.body.contains(#"<p class="error" id="snils-error">СНИЛС должен состоять из 11 цифр с верной контрольной суммой.</p>"#))
        #expect(invalid.body.contains(#"value="Тестова""#))
        #expect(try found() == #"{"pupils":[]}"#)

        // Registered through the form, readable through the API.
        let registered = try Self.page(run, port: port, "/app/pupils", method: "POST", cookie: cookie, form: [("_csrf", formToken)] + Self.pupil)
        #expect(registered.http == "201", "\(registered)")
        #expect(registered.body.contains("<h1>Ученик зарегистрирован</h1>"))
        let token = try #require(registered.body.firstMatch(of: #/<code id="pupil-token">(sub_[A-Za-z0-9_-]+)</code>/#)?.output.1)
        #expect(!registered.body.contains("Тестова Анна"), "the receipt names the pupil by token only")
        let card = try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/\(token)?purpose=enrolment&fields=surname,first_name,grade")
        #expect(card.http == "200", "\(card)")
        #expect(ServeRun.json(card.body)["fields"] as? [String: String] == ["surname": "Тестова", "first_name": "Анна", "grade": "9"])
        #expect(try found() == #"{"pupils":[{"token":"\#(token)"}]}"#)
        // The pupil's consents and the scan of the paper form: attached through the page, read back through the API.
        let consents = try Self.page(run, port: port, "/app/pupils/\(token)/consents", cookie: cookie)
        #expect(consents.http == "200", "\(consents)")
        #expect(consents.body.contains("<td>Учёт ученика в школе</td><td>действует</td><td>01.09.2025</td>"), "\(consents)")
        let consent = try #require(consents.body.firstMatch(of: #/action="/app/pupils/[^/]+/consents/([^/]+)/scan"/#)?.output.1)
        let pdfPath = run.directory.path + "/scan.pdf"
        let pdf = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
        try Data(pdf.utf8).write(to: URL(fileURLWithPath: pdfPath))
        let textPath = run.directory.path + "/scan.txt"
        try Data("not a scan".utf8).write(to: URL(fileURLWithPath: textPath))
        let scanPath = "/app/pupils/\(token)/consents/\(consent)/scan"
        let notAScan = try Self.page(run, port: port, scanPath, method: "POST", cookie: cookie, upload: (formToken, textPath), uploadType: "application/pdf")
        #expect(notAScan.http == "422", "\(notAScan)")
        #expect(notAScan.body.contains("Файл не принят: нужен PDF, JPEG или PNG не больше 8 МБ."))
        let forgedScan = try Self.page(run, port: port, scanPath, method: "POST", cookie: cookie, upload: (signInToken, pdfPath), uploadType: "application/pdf")  // a well-formed token of another binding
        #expect(forgedScan.http == "403")
        let attached = try Self.page(run, port: port, scanPath, method: "POST", cookie: cookie, upload: (formToken, pdfPath), uploadType: "application/pdf")
        #expect(attached.http == "303", "\(attached)")
        #expect(attached.headers["location"] == "/app/pupils/\(token)/consents?done=attached")
        let afterScan = try Self.page(run, port: port, "/app/pupils/\(token)/consents?done=attached", cookie: cookie)
        #expect(afterScan.body.contains(#"<p role="status">Скан приложен.</p>"#))
        #expect(afterScan.body.contains("приложен"))
        #expect(!afterScan.body.contains("enctype"), "no upload form for a consent with its scan")
        #expect(afterScan.body.contains("<p>В школе нет действующих учётных записей навигаторов.</p>"))
        let downloaded = try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/\(token)/consents/\(consent)/scan")
        #expect(downloaded.http == "200")
        #expect(downloaded.body == pdf)
        #expect(try Self.page(run, port: port, "/app/pupils/sub_AAAAAAAAAAAAAAAAAAAAAA/consents", cookie: cookie).http == "404")

        // The pupils lacking a consent: the form's consent covers enrolment only, so the pupil lacks
        // self_service, on the page and through the API alike (the same door call).
        let lacking = try Self.page(run, port: port, "/app/pupils/lacking-consent?purpose=self_service", cookie: cookie)
        #expect(lacking.http == "200", "\(lacking)")
        #expect(lacking.body.contains(#"<a href="/app/pupils/lacking-consent?purpose=self_service" aria-current="page">Личный кабинет ученика</a>"#))
        #expect(lacking.body.contains("<tr><td><a href=\"/app/pupils/\(token)/consents\"><code>\(token)</code></a></td><td>согласие не собрано</td></tr>"), "\(lacking)")
        #expect(lacking.body.contains("<caption>Без действующего согласия: 1</caption>"))
        let covered = try Self.page(run, port: port, "/app/pupils/lacking-consent?purpose=enrolment", cookie: cookie)
        #expect(covered.http == "200")
        #expect(covered.body.contains(#"<p role="status">У всех учеников есть действующее согласие на эту цель.</p>"#))
        #expect(try Self.page(run, port: port, "/app/pupils/lacking-consent?purpose=nothing", cookie: cookie).http == "400")
        let lackingAPI = try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/lacking-consent?purpose=self_service")
        #expect(lackingAPI.http == "200", "\(lackingAPI)")
        #expect(lackingAPI.body == #"{"pupils":[{"status":"none","token":"\#(token)"}],"purpose":"self_service"}"#, "\(lackingAPI)")
        let coveredAPI = try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/lacking-consent?purpose=enrolment")
        #expect(coveredAPI.body == #"{"pupils":[],"purpose":"enrolment"}"#, "\(coveredAPI)")
        #expect(try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/lacking-consent").http == "400")
        // A purpose the policy schema does not declare is refused by the vault itself, not only by the
        // page: no list of the school's whole roll (and no read audited for each pupil) for nothing.
        let invented = try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/lacking-consent?purpose=nothing")
        #expect(invented.http == "400", "\(invented)")
        #expect(invented.body.contains(#""code":"invalid-request""#), "\(invented)")
        // A navigator of the same school is refused by the vault (only a school lists its pupils' consents).
        let navigatorAdded = try run.addAccount("navigator.a", role: "navigator", organisation: "bilet://school/77-0001", region: "77")
        try #require(navigatorAdded.status == 0, "\(navigatorAdded.output)")
        let navigator = try run.signIn(port: port, "navigator.a", client: "workstation")
        let refused = try run.call(port: port, client: "workstation", token: navigator, "/v1/pupils/lacking-consent?purpose=self_service")
        #expect(refused.http == "403", "\(refused)")
        // Assigning the school's navigator through the pupil's page; the API sees it; then ending it.
        let withNavigator = try Self.page(run, port: port, "/app/pupils/\(token)/consents", cookie: cookie)
        let option = try #require(withNavigator.body.firstMatch(of: #/<option value="(usr_[A-Za-z0-9_-]+)">navigator\.a</option>/#)?.output.1)
        #expect(withNavigator.body.contains("<p>Навигатор не назначен.</p>"))
        let navigatorsPath = "/app/pupils/\(token)/navigators"
        #expect(try Self.page(run, port: port, navigatorsPath, method: "POST", cookie: cookie, form: [("navigator", String(option))]).http == "403")
        let assigned = try Self.page(run, port: port, navigatorsPath, method: "POST", cookie: cookie, form: [("_csrf", formToken), ("navigator", String(option))])
        #expect(assigned.http == "303", "\(assigned)")
        #expect(assigned.headers["location"] == "/app/pupils/\(token)/consents?done=assigned")
        let assignedPage = try Self.page(run, port: port, "/app/pupils/\(token)/consents?done=assigned", cookie: cookie)
        #expect(assignedPage.body.contains(#"<p role="status">Навигатор назначен.</p>"#))
        #expect(assignedPage.body.contains("<td>navigator.a</td><td>01.07."), "\(assignedPage)")
        let listedAPI = try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/\(token)/navigators")
        #expect(listedAPI.body.contains(#""navigator":"\#(option)""#), "\(listedAPI)")
        let ended = try Self.page(
            run, port: port, "\(navigatorsPath)/\(option)/end", method: "POST", cookie: cookie, form: [("_csrf", formToken)])
        #expect(ended.http == "303", "\(ended)")
        #expect(try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/\(token)/navigators").body == #"{"navigators":[]}"#)
        let unknownNavigator = try Self.page(
            run, port: port, navigatorsPath, method: "POST", cookie: cookie, form: [("_csrf", formToken), ("navigator", "usr_AAAAAAAAAAAAAAAAAAAAAA")])
        #expect(unknownNavigator.http == "404")
        #expect(unknownNavigator.body.contains("В вашей школе нет такой учётной записи навигатора."))

        // Each listing audited the pupil's consent state as read (one pii.read per listing: page and
        // API; the consents page's reads ask for signed_on too).
        let officerAdded = try run.addAccount("officer.one", role: "compliance_officer", organisation: "bilet://school/77-0001")
        try #require(officerAdded.status == 0, "\(officerAdded.output)")
        let officer = try run.signIn(port: port, "officer.one", client: "workstation")
        let report = try run.call(port: port, client: "workstation", token: officer, "/v1/audit/report?subject=\(token)")
        #expect(report.http == "200", "\(report)")
        let listed = (ServeRun.json(report.body)["entries"] as? [[String: Any]] ?? []).filter {
            $0["type"] as? String == "pii.read" && $0["purpose"] as? String == "consent_management"
                && ($0["fields"] as? [String: Any])?["fields_requested"] as? [String] == ["scope", "status"]
        }
        #expect(listed.count == 2, "\(report.body)")
        #expect(listed.allSatisfy { $0["decision"] as? String == "permit" && $0["actor"] as? String != nil })
        // The navigator's refused listing is audited with its rule.
        let denials = try run.call(port: port, client: "workstation", token: officer, "/v1/audit/entries?type=policy.decided&decision=deny")
        let rules = (ServeRun.json(denials.body)["entries"] as? [[String: Any]] ?? []).compactMap { ($0["fields"] as? [String: Any])?["rule"] as? String }
        #expect(rules.contains("vault.consent-gaps.school-only"), "\(denials)")

        // The same pupil again: the vault's refusal above the form, with the API's status.
        let again = try Self.page(run, port: port, "/app/pupils", method: "POST", cookie: cookie, form: [("_csrf", formToken)] + Self.pupil)
        #expect(again.http == "409", "\(again)")
        #expect(again.body.contains(#"<p class="alert" role="alert">Этот ученик уже зарегистрирован в вашей школе.</p>"#))

        // The CSV import: a file with errors in rows 3 and 5 stores nothing and shows both in a table;
        // corrected, all four rows import. Without the token, 403.
        var lines = [SyntheticImport.header] + (0..<4).map { SyntheticImport.row($0, seed: 7) }
        lines[2] = lines[2].replacingOccurrences(of: SyntheticImport.snils(1, seed: 7), with: "123-456-789 00")
        lines[4] = lines[4].replacingOccurrences(of: "01.09.2025", with: "31.02.2025")
        let broken = run.directory.path + "/broken.csv"
        try Data(lines.joined(separator: "\r\n").utf8).write(to: URL(fileURLWithPath: broken))
        let importPage = try Self.page(run, port: port, "/app/pupils/import", cookie: cookie)
        #expect(importPage.http == "200")
        #expect(importPage.body.contains(#"<form method="post" action="/app/pupils/import" enctype="multipart/form-data">"#))
        let refusedImport = try Self.page(run, port: port, "/app/pupils/import", method: "POST", cookie: cookie, upload: (formToken, broken))
        #expect(refusedImport.http == "422", "\(refusedImport)")
        #expect(refusedImport.body.contains("<caption>Ошибки в файле: 2</caption>"))
        #expect(refusedImport.body.contains("<tr><td>3</td><td>СНИЛС</td><td>СНИЛС должен состоять из 11 цифр с верной контрольной суммой.</td></tr>"))
        #expect(
            refusedImport.body.contains(
                "<tr><td>5</td><td>Дата согласия</td><td>Укажите существующую дату не позже сегодняшнего дня в виде ДД.ММ.ГГГГ.</td></tr>"),
            "\(refusedImport)")
        let forgedImport = try Self.page(run, port: port, "/app/pupils/import", method: "POST", cookie: cookie, upload: (signInToken, broken))  // a well-formed token of another binding
        #expect(forgedImport.http == "403")
        // A file over the import's 4 MiB (the page's body limit is the scan's 8 MiB) is refused by the
        // import itself, as the API refuses it, and nothing is stored.
        let oversized = run.directory.path + "/oversized.csv"
        try Data((lines.joined(separator: "\r\n") + String(repeating: "\r\n", count: 2_200_000)).utf8).write(to: URL(fileURLWithPath: oversized))
        let oversizedImport = try Self.page(run, port: port, "/app/pupils/import", method: "POST", cookie: cookie, upload: (formToken, oversized))
        #expect(oversizedImport.http == "413", "\(oversizedImport.http)")
        #expect(oversizedImport.body.contains("Файл больше 4 МБ: разделите список на несколько файлов."))
        let good = run.directory.path + "/good.csv"
        try Data(([SyntheticImport.header] + (0..<4).map { SyntheticImport.row($0, seed: 7) }).joined(separator: "\r\n").utf8)
            .write(to: URL(fileURLWithPath: good))
        let importedPage = try Self.page(run, port: port, "/app/pupils/import", method: "POST", cookie: cookie, upload: (formToken, good))
        #expect(importedPage.http == "200", "\(importedPage)")
        #expect(importedPage.body.contains(#"<p role="status">Загружено учеников: 4. Все строки файла сохранены.</p>"#))
        let afterImport = try run.call(port: port, client: "workstation", token: bearer, "/v1/pupils/lacking-consent?purpose=self_service")
        #expect((ServeRun.json(afterImport.body)["pupils"] as? [[String: Any]])?.count == 5, "\(afterImport)")

        // The school's KPI: the same figures as GET /v1/kpi (this month: 5 pupils registered, 5 consents).
        let kpiAPI = try run.call(port: port, client: "workstation", token: bearer, "/v1/kpi?scope=school&id=77-0001")
        let thisMonth = try #require((ServeRun.json(kpiAPI.body)["months"] as? [[String: Any]])?.last, "\(kpiAPI)")
        let monthKey = try #require(thisMonth["month"] as? String)
        #expect(thisMonth["pupilsRegistered"] as? Int == 5, "\(kpiAPI)")
        let kpiPage = try Self.page(run, port: port, "/app/kpi", cookie: cookie)
        #expect(kpiPage.http == "200", "\(kpiPage)")
        let russianMonth = "\(monthKey.suffix(2)).\(monthKey.prefix(4))"
        #expect(
            kpiPage.body.contains("<tr><th scope=\"row\">\(russianMonth)</th><td>5</td><td>5</td><td>&lt;5</td><td>&lt;5</td><td>&lt;5</td></tr>"),
            "\(kpiPage)")
        #expect(kpiPage.body.components(separatedBy: "<tr><th scope=\"row\">").count == 13, "twelve months")

        // A file form where no route takes a file is refused before any of it is parsed.
        let multipartElsewhere = try Self.page(run, port: port, "/app/consent", method: "POST", cookie: cookie, upload: (formToken, pdfPath))
        #expect(multipartElsewhere.http == "403", "\(multipartElsewhere)")
        #expect(multipartElsewhere.body.contains("Форма устарела или отправлена не с этой страницы."))

        // Signing in again on the same browser ends the session it still held: the first cookie is
        // dead at once, the new one works.
        let signedInAgain = try Self.page(
            run, port: port, "/app/sign-in", method: "POST", cookie: cookie, preSession: pre, form: [("_csrf", signInToken)] + credentials)
        #expect(signedInAgain.http == "303", "\(signedInAgain)")
        let newCookie = try #require(signedInAgain.headers["set-cookie"]?.firstMatch(of: #/__Host-bilet-session=([A-Za-z0-9_-]{43});/#)?.output.1)
        #expect(newCookie != cookie)
        let oldCookie = try Self.page(run, port: port, "/app/home", cookie: cookie)
        #expect(oldCookie.http == "303")
        #expect(oldCookie.headers["location"] == "/app/sign-in")
        #expect(try Self.page(run, port: port, "/app/home", cookie: String(newCookie)).http == "200")

        // Signing out ends the session and removes the cookie, even with a token gone stale (the
        // gateway restarted while the page was open): no live session is left on the workstation.
        // The old cookie leads to the sign-in page.
        let signedOut = try Self.page(run, port: port, "/app/sign-out", method: "POST", cookie: String(newCookie), form: [("_csrf", signInToken)])
        #expect(signedOut.http == "303", "\(signedOut)")
        #expect(signedOut.headers["location"] == "/app/sign-in")
        #expect(signedOut.headers["set-cookie"] == "__Host-bilet-session=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Strict")
        let afterwards = try Self.page(run, port: port, "/app/home", cookie: String(newCookie))
        #expect(afterwards.http == "303")
        #expect(afterwards.headers["location"] == "/app/sign-in")
    }
}
