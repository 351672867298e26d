public import Foundation

/// The pupil's "who has accessed my data" page: one row per access from the audit log, in Russian
/// (who as an organisation and a role, never a person; the date as `ДД.ММ.ГГГГ`; the purpose; the
/// consent), with a link to download the access's inclusion proof.
public enum PupilAccessesPage {
    /// One access as the page shows it.
    public struct Row: Sendable, Hashable {
        public let date: String
        public let who: String
        public let organisation: String
        public let action: String
        public let purpose: String
        public let fields: String
        public let consent: String
        /// The leaf index of the proof link; nil while the access waits for the log (no link).
        public let leaf: String?

        public init(date: String, who: String, organisation: String, action: String, purpose: String, fields: String, consent: String, leaf: String?) {
            self.date = date
            self.who = who
            self.organisation = organisation
            self.action = action
            self.purpose = purpose
            self.fields = fields
            self.consent = consent
            self.leaf = leaf
        }
    }

    /// `ДД.ММ.ГГГГ` of `date` in UTC.
    public static func date(_ date: Date) -> String {
        String(RussianFormat.dateTime(date).prefix(10))
    }

    /// What was done, by the audit event type and decision.
    public static func action(type: String, decision: String?) -> String {
        let done =
            switch type {
            case "pii.read": "чтение данных"
            case "pii.written": "запись данных"
            case "token.resolved": "выдача обезличенного идентификатора"
            default: type
            }
        switch decision {
        case "deny": return done + " (отказано)"
        case "error": return done + " (не выполнено)"
        default: return done
        }
    }

    /// A purpose code in Russian.
    public static func purpose(_ code: String?) -> String {
        guard let code else { return "—" }
        if ConsentGapsPage.isKnown(code) { return ConsentGapsPage.label(code) }
        return switch code {
        case "consent_management": "Работа с согласиями"
        case "staff_management": "Учёт сотрудников"
        case "administration": "Ведение реестра"
        case "audit_review": "Проверка журнала аудита"
        case "incident_response": "Расследование инцидента"
        default: code
        }
    }

    /// A platform module in Russian.
    public static func module(_ name: String) -> String {
        switch name {
        case "assessment": "модуль тестирования"
        case "trials": "модуль профессиональных проб"
        case "recommendations": "модуль рекомендаций"
        default: "модуль платформы"
        }
    }

    /// An organisation URI (`bilet://school/77-0001`) in Russian.
    public static func organisation(_ uri: String) -> String {
        let parts = uri.replacingOccurrences(of: "bilet://", with: "").split(separator: "/")
        guard parts.count == 2 else { return uri }
        let kind =
            switch parts[0] {
            case "school": "школа"
            case "venue": "площадка"
            case "region": "регион"
            case "operator": "оператор платформы"
            default: String(parts[0])
            }
        return "\(kind) \(parts[1])"
    }
}
