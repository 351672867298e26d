public import Foundation

/// The vault's pending erasure deadlines as the compliance officer's page shows them
/// (`GET /v1/erasure/deadlines`'s door call): one row per deadline, soonest first, the overdue
/// ones marked. Tokens, field names, reasons and dates; no personal data.
public enum ErasureDeadlinesPage {
    /// One deadline.
    public struct Row: Sendable, Hashable {
        public let subject: String
        public let kind: String
        public let what: String
        public let reason: String
        public let due: String
        public let overdue: Bool
        public let legalHold: Bool

        /// A row of the door's values: `due` ISO 8601, judged against `now`.
        public init(
            subject: String, kind: String, scope: String, fields: [String], reason: String, due: String, legalHold: Bool, now: Date
        ) {
            self.subject = subject
            self.kind = ErasureRegisterText.kind(kind)
            self.what = scope == "subject" ? "все данные" : fields.joined(separator: ", ")
            self.reason = ErasuresPage.reasonLabel(reason)
            let date = try? Date(due, strategy: .iso8601)
            self.due = date.map(RussianFormat.dateTime) ?? due
            self.overdue = date.map { $0 < now } ?? false
            self.legalHold = legalHold
        }
    }
}

/// The vault's destruction register as the compliance officer's page shows it
/// (`GET /v1/erasure/register`'s door call): newest first, with the method and until when each
/// entry is kept.
public enum DestructionRegisterPage {
    /// One entry.
    public struct Row: Sendable, Hashable {
        public let subject: String
        public let kind: String
        public let categories: String
        public let method: String
        public let reason: String
        public let requestedBy: String
        public let destroyedAt: String
        public let keepUntil: String

        /// A row of the door's values (dates ISO 8601).
        public init(
            subject: String, kind: String, scope: String, categories: [String], method: String, reason: String, requestedBy: String,
            destroyedAt: String, keepUntil: String
        ) {
            self.subject = subject
            self.kind = ErasureRegisterText.kind(kind)
            self.categories = scope == "subject" ? "все данные (\(categories.joined(separator: ", ")))" : categories.joined(separator: ", ")
            self.method = ErasureRegisterText.method(method)
            self.reason = ErasuresPage.reasonLabel(reason)
            self.requestedBy = requestedBy
            self.destroyedAt = (try? Date(destroyedAt, strategy: .iso8601)).map(RussianFormat.dateTime) ?? destroyedAt
            self.keepUntil = RussianFormat.date(iso: keepUntil)
        }
    }
}

/// The register's codes in Russian (the code itself when unknown).
public enum ErasureRegisterText {
    /// Whose data: `pupil`, `guardian`, `staff`.
    public static func kind(_ code: String) -> String {
        switch code {
        case "pupil": "ученик"
        case "guardian": "законный представитель"
        case "staff": "сотрудник"
        default: code
        }
    }

    /// How the data was destroyed.
    public static func method(_ code: String) -> String {
        switch code {
        case "crypto_shredding": "криптографическое уничтожение (ключ данных уничтожен)"
        case "ciphertext_deletion": "удаление зашифрованных данных"
        default: code
        }
    }
}
