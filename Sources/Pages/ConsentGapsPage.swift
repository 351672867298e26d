/// The school's list of pupils without a consent in force for a purpose: the purposes a school
/// collects consents for, with their Russian names, and how each pupil's newest consent ended.
public enum ConsentGapsPage {
    /// One purpose, as the page's menu shows it.
    public struct Purpose: Sendable, Hashable {
        public let code: String
        public let label: String
        /// Whether this is the purpose shown (`aria-current`).
        public var current: Bool
    }

    /// One pupil of the list.
    public struct Row: Sendable, Hashable {
        public let token: String
        public let status: String

        public init(token: String, status: String) {
            self.token = token
            self.status = status
        }
    }

    /// The most pupils the vault lists at once (`Vault.consentGapListLimit`).
    public static let listLimit = 500

    /// The purpose shown when none is asked for.
    public static let defaultPurpose = "self_service"

    /// The purposes a pupil's consent is collected for, in the order the menu shows them.
    public static let purposes: [(code: String, label: String)] = [
        ("enrolment", "Учёт ученика в школе"), ("self_service", "Личный кабинет ученика"), ("assessment", "Тестирование"),
        ("event_attendance", "Профессиональные пробы"), ("trial_feedback", "Отзывы наставников"), ("recommendation", "Рекомендации"),
        ("parent_request", "Ответы на запросы родителей"),
    ]

    /// Whether `code` is one of ``purposes``.
    public static func isKnown(_ code: String) -> Bool { purposes.contains { $0.code == code } }

    /// The menu with `current` marked.
    public static func menu(current: String) -> [Purpose] {
        purposes.map { Purpose(code: $0.code, label: $0.label, current: $0.code == current) }
    }

    /// The Russian label of a purpose code.
    public static func label(_ code: String) -> String { purposes.first { $0.code == code }?.label ?? code }

    /// What became of the newest consent, in Russian.
    public static func status(_ raw: String) -> String {
        switch raw {
        case "active": "действует"
        case "none": "согласие не собрано"
        case "withdrawn": "согласие отозвано"
        case "expired": "срок согласия истёк"
        case "not_yet_valid": "согласие ещё не вступило в силу"
        case "superseded": "согласие заменено и не действует"
        default: raw
        }
    }
}
