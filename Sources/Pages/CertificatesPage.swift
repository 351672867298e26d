public import Foundation

/// The security administrator's certificate pages: the inventory's rows in Russian (dates
/// `ДД.ММ.ГГГГ`, profiles and states named), the revocation form and its check.
public enum CertificatesPage {
    /// One certificate in the table.
    public struct Row: Sendable, Hashable {
        public let serial: String
        /// The profile as Russians name it («рабочее место», «сервис» …).
        public let profile: String
        public let organisation: String
        public let identity: String
        /// `ДД.ММ.ГГГГ` of the start and the end of validity.
        public let notBefore: String
        public let notAfter: String
        /// Whole days left (0 on the last day), for an active certificate; `—` otherwise.
        public let daysLeft: String
        /// «действует», «истёк» or «отозван (причина)».
        public let state: String
        /// Whether it may be revoked here (an active leaf certificate).
        public let revocable: Bool
        /// Whether it expires within ``expiryWarningDays`` (the row stands out).
        public let expiringSoon: Bool

        public init(
            serial: String, profile: String, organisation: String?, identity: String, notBefore: Date, notAfter: Date, state: String,
            revocationReason: String?, now: Date
        ) {
            self.serial = serial
            self.profile = CertificatesPage.profileName(profile)
            self.organisation = organisation ?? "—"
            self.identity = identity
            self.notBefore = String(RussianFormat.dateTime(notBefore).prefix(10))
            self.notAfter = String(RussianFormat.dateTime(notAfter).prefix(10))
            let active = state == "active"
            let days = Int(notAfter.timeIntervalSince(now) / 86_400)
            self.daysLeft = active ? String(days) : "—"
            self.expiringSoon = active && days < CertificatesPage.expiryWarningDays
            self.state = CertificatesPage.stateName(state, reason: revocationReason)
            self.revocable = active && profile != "root" && profile != "intermediate"
        }
    }

    /// The window of the «истекают» page and of the rows marked, in days.
    public static let expiryWarningDays = 30

    /// The Russian name of a certificate profile.
    public static func profileName(_ profile: String) -> String {
        switch profile {
        case "root": "корневой УЦ"
        case "intermediate": "выпускающий УЦ"
        case "workstation": "рабочее место"
        case "service": "сервис"
        case "server": "сервер"
        default: profile
        }
    }

    /// The Russian name of a state, with the revocation's reason.
    public static func stateName(_ state: String, reason: String?) -> String {
        switch state {
        case "active": "действует"
        case "expired": "истёк"
        case "revoked": "отозван" + (reason.map { " (\(reasonName($0).lowercased()))" } ?? "")
        default: state
        }
    }

    /// The reasons offered (RFC 5280 names, as the API takes them), with their Russian labels.
    public static let reasons: [(String, String)] = [
        ("key_compromise", "Ключ скомпрометирован"), ("affiliation_changed", "Рабочее место передано другой организации"),
        ("superseded", "Заменён новым сертификатом"), ("cessation_of_operation", "Рабочее место выведено из эксплуатации"),
        ("privilege_withdrawn", "Права отозваны"), ("unspecified", "Другая причина"),
    ]

    /// The Russian label of a reason; the name itself when unknown.
    public static func reasonName(_ reason: String) -> String {
        reasons.first { $0.0 == reason }?.1 ?? reason
    }

    /// The revocation form's fields.
    public static let sections: [FormSection] = [
        FormSection(
            legend: "Отзыв сертификата",
            fields: [
                FormField(
                    name: "reason", label: "Причина отзыва", hint: "Записывается в список отозванных сертификатов и в журнал аудита",
                    kind: .select, required: true,
                    options: [.init(value: "", label: "Выберите причину", selected: false)]
                        + reasons.map { .init(value: $0.0, label: $0.1, selected: false) })
            ]),
    ]

    /// The revocation form filled with `values`, the reason refused with its message when missing
    /// or not one of ``reasons``; `nil` message when it passes.
    public static func check(_ values: FormValues) -> (form: CheckedForm, reason: String?) {
        var form = CheckedForm(sections, values: values)
        let reason = values["reason"] ?? ""
        guard reasons.contains(where: { $0.0 == reason }) else {
            form.refuse("reason", reason.isEmpty ? "Выберите причину отзыва." : "Выберите причину из списка.")
            return (form, nil)
        }
        return (form, reason)
    }
}
