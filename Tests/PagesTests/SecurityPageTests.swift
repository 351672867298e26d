import Foundation
import Pages
import Testing

/// The security administrator's templates with every optional part shown are as safe as the others
/// (``PageSafetyTests/unsafeParts(of:)``); the inventory's rows speak Russian and mark what expires
/// soon; the revocation form refuses a missing or unknown reason next to its field.
@Suite struct SecurityPageTests {
    static var frame: PageFrame {
        var frame = PageFrame(stylesheet: "/app/static/bilet-000000000000.css", csrf: "TOKEN", signedIn: true, menu: true, role: "администратор безопасности")
        frame.securityAdmin = true
        return frame
    }

    static let now = Date(timeIntervalSince1970: 1_796_000_000)  // 30.11.2026 00:53 UTC

    static func rows() -> [CertificatesPage.Row] {
        [
            CertificatesPage.Row(
                serial: "0a1b", profile: "workstation", organisation: "school/77-0001", identity: "bilet://school/77-0001/ws/9",
                notBefore: now.addingTimeInterval(-86_400), notAfter: now.addingTimeInterval(10 * 86_400 + 60), state: "active", revocationReason: nil,
                now: now),
            CertificatesPage.Row(
                serial: "0c2d", profile: "root", organisation: nil, identity: "ca:root/ecdsa", notBefore: now, notAfter: now.addingTimeInterval(3650 * 86_400),
                state: "active", revocationReason: nil, now: now),
            CertificatesPage.Row(
                serial: "0e3f", profile: "workstation", organisation: "school/77-0002", identity: "bilet://school/77-0002/ws/1",
                notBefore: now, notAfter: now.addingTimeInterval(90 * 86_400), state: "revoked", revocationReason: "key_compromise", now: now),
        ]
    }

    static func values() -> [String: Any] {
        var form = CertificatesPage.check(FormValues(body: "reason=")).form
        form.message = "Сообщение для всей формы."
        return [
            "certificates": rows(), "hasCertificates": true, "count": 3, "expiring": true, "days": 30, "message": "Сообщение.",
            "certificate": rows()[0], "serial": "0a1b", "form": form, "revoked": false,
        ]
    }

    @Test("the security administrator's templates", arguments: [PageTemplate.certificates, .certificateRevoke, .home])
    func securityTemplatesAreSafe(_ template: PageTemplate) throws {
        for revoked in [false, true] {
            var values = Self.values()
            values["revoked"] = revoked
            values["hasSuccessors"] = revoked
            values["successors"] = ["0f00"]
            let html = try PageRenderer().render(template, frame: Self.frame, values: values)
            #expect(PageSafetyTests.unsafeParts(of: html) == [], "\(template.rawValue)")
            for match in html.matches(of: #/<(input|select|textarea) id="([A-Za-z0-9_-]+)"/#) {
                #expect(html.contains(#"<label for="\#(match.output.2)">"#), "\(template.rawValue): \(match.output.2) has no label")
            }
            #expect(html.contains(#"<li><a href="/app/certificates">Сертификаты</a></li>"#), "the security administrator's menu")
            #expect(!html.contains("/app/pupils/new"), "not the school's menu")
        }
    }

    @Test func theInventoryShowsDatesStatesAndWhatExpiresSoon() throws {
        let html = try PageRenderer().render(.certificates, frame: Self.frame, values: Self.values())
        #expect(html.contains(#"<tr class="overdue"><td class="hash"><code>0a1b</code></td><td>рабочее место</td><td>school/77-0001</td><td class="hash">bilet://school/77-0001/ws/9</td><td>29.11.2026</td><td>10.12.2026</td><td>10</td><td>действует</td>"#), "\(html)")
        #expect(html.contains(#"<a href="/app/certificates/0a1b/revoke">Отозвать</a>"#))
        #expect(!html.contains("/app/certificates/0c2d/revoke"), "a CA certificate is not revoked here")
        #expect(!html.contains("/app/certificates/0e3f/revoke"))
        #expect(html.contains("<td>отозван (ключ скомпрометирован)</td>"))
        #expect(html.contains(#"<a href="/app/certificates?expiring=30" aria-current="page">"#))
    }

    @Test func theReasonIsRefusedNextToItsFieldWhenMissingOrUnknown() throws {
        let missing = CertificatesPage.check(FormValues(body: "reason="))
        #expect(missing.reason == nil)
        #expect(missing.form.error("reason") == "Выберите причину отзыва.")
        let unknown = CertificatesPage.check(FormValues(body: "reason=remove_from_crl"))
        #expect(unknown.reason == nil)
        #expect(unknown.form.error("reason") == "Выберите причину из списка.")
        let given = CertificatesPage.check(FormValues(body: "reason=key_compromise"))
        #expect(given.reason == "key_compromise")
        #expect(!given.form.hasErrors)
        let html = try PageRenderer().render(.certificateRevoke, frame: Self.frame, values: ["form": missing.form, "serial": "0a1b", "certificate": Self.rows()[0]])
        #expect(html.contains(#"<select id="reason" name="reason" required aria-invalid="true" aria-describedby="reason-error">"#))
        #expect(html.contains(#"<p class="error" id="reason-error">Выберите причину отзыва.</p>"#))
        #expect(html.contains(#"<form method="post" action="/app/certificates/0a1b/revoke" novalidate>"#))
        #expect(html.contains("<dt>Действует</dt><dd>с 29.11.2026 по 10.12.2026</dd>"))
    }
}
