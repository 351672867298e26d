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
