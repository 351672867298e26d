/// The audit log's verification status as the compliance officer's page shows it: the newest
/// signed checkpoint and the completeness check of the UTC day before the checkpoint's day
/// (`GET /v1/audit/gaps`'s verdict), in Russian.
public enum AuditStatusPage {
    /// The verdict of the completeness check in Russian (`complete`, `gaps`, `pending`).
    public static func verdict(_ raw: String) -> String {
        switch raw {
        case "complete": "полный: все записи на месте, подписаны и не изменены"
        case "gaps": "НАРУШЕН: записи пропали или изменены"
        case "pending": "ещё не доказан: часть записей ждёт следующей подписанной контрольной точки"
        default: raw
        }
    }
}

/// The subject-access requests the compliance officer oversees (`GET /v1/access-requests`): one
/// row per open request, the overdue ones marked.
public enum AccessRequestsPage {
    /// One open request: tokens, school, dates (`ДД.ММ.ГГГГ`), who asked, whether it is overdue.
    public struct Row: Sendable, Hashable {
        public let request: String
        public let pupil: String
        public let school: String
        public let receivedOn: String
        public let deadline: String
        public let requester: String
        public let overdue: Bool

        /// A row of the register's values (ISO dates, `open` or `overdue`, `pupil` or `guardian`).
        public init(request: String, pupil: String, school: String?, receivedOn: String, deadline: String, status: String, requesterKind: String) {
            self.request = request
            self.pupil = pupil
            self.school = school ?? "—"
            self.receivedOn = RussianFormat.date(iso: receivedOn)
            self.deadline = RussianFormat.date(iso: deadline)
            self.requester = requesterKind == "pupil" ? "ученик" : "законный представитель"
            self.overdue = status == "overdue"
        }
    }
}

/// The destructions of personal data as the audit log records them (`subject.erased`): whose
/// (token), why, which categories, by whom, when.
public enum ErasuresPage {
    /// One destruction.
    public struct Row: Sendable, Hashable {
        public let time: String
        public let subject: String
        public let reason: String
        public let categories: String
        public let actor: String

        /// A row of a record's values: `reason` a code, `categories` the field names destroyed.
        public init(time: String, subject: String?, reason: String?, categories: String?, actor: String?) {
            self.time = time
            self.subject = subject ?? "—"
            self.reason = ErasuresPage.reasonLabel(reason)
            self.categories = categories ?? "удалены по сроку хранения"
            self.actor = actor ?? "—"
        }
    }

    /// Why the data was destroyed, in Russian (the code itself when unknown).
    public static func reasonLabel(_ code: String?) -> String {
        switch code {
        case "subject_request": "по требованию субъекта"
        case "consent_withdrawn": "согласие отозвано"
        case "consent_expired": "срок согласия истёк"
        case "retention_expired": "срок хранения истёк"
        case nil: "—"
        case let other?: other
        }
    }
}
