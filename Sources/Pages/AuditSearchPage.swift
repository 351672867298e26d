/// The compliance officer's audit search: the filters of `GET /v1/audit/entries` as a form (dates
/// as `ДД.ММ.ГГГГ`, the last day included), their check with a Russian message next to each
/// refused field, and the rows of the results.
///
/// The page knows no audit types: the patterns of a token and an actor identifier are given by the
/// caller (the audit log's own), so the page refuses exactly what the service would.
public enum AuditSearchPage {
    /// The form's fields, empty.
    public static let sections: [FormSection] = [
        FormSection(
            legend: "Что искать",
            fields: [
                FormField(name: "subject", label: "Идентификатор ученика или другого субъекта", hint: "Например, sub_…; не имя"),
                FormField(name: "actor", label: "Кто действовал", hint: "Например, user:usr_… или cert:…"),
                FormField(name: "type", label: "Тип события", hint: "Например, pii.read или policy.decided"),
                FormField(
                    name: "decision", label: "Решение", kind: .select,
                    options: [
                        .init(value: "", label: "Любое", selected: false), .init(value: "permit", label: "Разрешено", selected: false),
                        .init(value: "deny", label: "Отказано", selected: false), .init(value: "error", label: "Ошибка", selected: false),
                    ]),
            ]),
        FormSection(
            legend: "Когда и сколько",
            fields: [
                FormField(name: "from", label: "С даты", hint: "ДД.ММ.ГГГГ, по UTC", kind: .date),
                FormField(name: "to", label: "По дату включительно", hint: "ДД.ММ.ГГГГ, по UTC", kind: .date),
                FormField(name: "limit", label: "Сколько записей показать", hint: "От 1 до 10 000; без числа — 1000"),
            ]),
    ]

    /// The most entries one search returns (as the API).
    public static let maximumLimit = 10_000
    /// The entries returned when no number is given (as the API).
    public static let defaultLimit = 1_000

    /// The checked filters, as the audit query takes them; `nil` is "any".
    public struct Criteria: Sendable, Hashable {
        public var subject: String?
        public var actor: String?
        public var type: String?
        public var decision: String?
        /// `YYYY-MM-DD`, the first day (inclusive).
        public var from: String?
        /// `YYYY-MM-DD`, the day after the last one (exclusive, as the API's `to`).
        public var toExclusive: String?
        public var limit: Int

        public init(
            subject: String? = nil, actor: String? = nil, type: String? = nil, decision: String? = nil, from: String? = nil,
            toExclusive: String? = nil, limit: Int
        ) {
            self.subject = subject
            self.actor = actor
            self.type = type
            self.decision = decision
            self.from = from
            self.toExclusive = toExclusive
            self.limit = limit
        }
    }

    /// The outcome of a submission.
    public enum Outcome: Sendable, Hashable {
        case valid(Criteria)
        /// The form again, with the submitted values and a message next to each refused field.
        case invalid(CheckedForm)
    }

    /// Checks `values`: `isToken` and `isIdentifier` are the audit log's patterns of a subject token
    /// and an actor identifier, `isEventType` of an event type.
    public static func check(
        _ values: FormValues, isToken: (String) -> Bool, isIdentifier: (String) -> Bool, isEventType: (String) -> Bool
    ) -> Outcome {
        var form = form(values)
        func text(_ name: String) -> String? {
            let value = (values[name] ?? "").trimmingCharacters(in: .whitespaces)
            return value.isEmpty ? nil : value
        }
        let subject = text("subject")
        if let subject, !isToken(subject) {
            form.refuse("subject", "Укажите идентификатор (например, sub_… из карточки ученика), а не имя или другой текст.")
        }
        let actor = text("actor")
        if let actor, !isIdentifier(actor) {
            form.refuse("actor", "Укажите идентификатор вида user:usr_… или cert:… .")
        }
        let type = text("type")
        if let type, !isEventType(type) { form.refuse("type", "Тип события пишется латиницей, например pii.read.") }
        let decision = text("decision")
        if let decision, !["permit", "deny", "error"].contains(decision) { form.refuse("decision", "Выберите решение из списка.") }
        let from = text("from").map { RussianFormat.isoDate(typed: $0) }
        if from == .some(nil) { form.refuse("from", "Укажите существующую дату в виде ДД.ММ.ГГГГ.") }
        let to = text("to").map { RussianFormat.isoDate(typed: $0) }
        if to == .some(nil) { form.refuse("to", "Укажите существующую дату в виде ДД.ММ.ГГГГ.") }
        if let first = from ?? nil, let last = to ?? nil, last < first {
            form.refuse("to", "Дата окончания не может быть раньше даты начала.")
        }
        var limit = defaultLimit
        if let number = text("limit") {
            if let parsed = Int(number), (1...maximumLimit).contains(parsed) {
                limit = parsed
            } else {
                form.refuse("limit", "Укажите число от 1 до 10 000.")
            }
        }
        guard !form.hasErrors else { return .invalid(form) }
        return .valid(
            Criteria(
                subject: subject, actor: actor, type: type, decision: decision, from: from ?? nil,
                toExclusive: (to ?? nil).flatMap { RussianFormat.nextDay(iso: $0) }, limit: limit))
    }

    /// The form filled with `values`, a valid date as `YYYY-MM-DD` (what a date input shows in the
    /// browser's own format, `ДД.ММ.ГГГГ` in a Russian one; it ignores any other value).
    public static func form(_ values: FormValues) -> CheckedForm {
        var form = CheckedForm(sections, values: values)
        for s in form.sections.indices {
            for f in form.sections[s].fields.indices where form.sections[s].fields[f].kind == .date {
                let field = form.sections[s].fields[f]
                if let iso = RussianFormat.isoDate(typed: field.value) { form.sections[s].fields[f] = field.filled(with: iso) }
            }
        }
        return form
    }

    /// One audit record as the results table shows it.
    public struct Row: Sendable, Hashable {
        /// `ДД.ММ.ГГГГ ЧЧ:ММ:СС` (UTC).
        public let time: String
        public let type: String
        /// The type in Russian when the page knows it; empty otherwise.
        public let typeLabel: String
        public let actor: String
        public let subject: String
        /// Whether ``subject`` is a token the access report can be asked for.
        public let hasSubject: Bool
        /// The decision in Russian.
        public let decision: String
        public let purpose: String
        /// The leaf index, or «ожидает» while the sequencer has not integrated the record.
        public let leaf: String
        /// The fields as `name: value; …` (tokens, codes and keyed hashes only), or «удалены по сроку хранения».
        public let fields: String

        public init(
            time: String, type: String, actor: String?, subject: String?, decision: String?, purpose: String?, leaf: UInt64?,
            fields: [(String, String)]?
        ) {
            self.time = time
            self.type = type
            self.typeLabel = AuditSearchPage.typeLabels[type] ?? ""
            self.actor = actor ?? "—"
            self.subject = subject ?? "—"
            self.hasSubject = subject != nil
            self.decision = AuditSearchPage.decisionLabel(decision)
            self.purpose = purpose ?? "—"
            self.leaf = leaf.map(String.init) ?? "ожидает"
            self.fields = fields.map { $0.sorted { $0.0 < $1.0 }.map { "\($0.0): \($0.1)" }.joined(separator: "; ") } ?? "удалены по сроку хранения"
        }
    }

    /// The decision in Russian.
    public static func decisionLabel(_ decision: String?) -> String {
        switch decision {
        case "permit": "разрешено"
        case "deny": "отказано"
        case "error": "ошибка"
        default: "—"
        }
    }

    /// Russian names of the event types an officer meets most.
    public static let typeLabels: [String: String] = [
        "pii.read": "чтение персональных данных", "pii.written": "запись персональных данных", "pii.searched": "поиск по персональным данным",
        "token.resolved": "раскрытие идентификатора", "policy.decided": "решение политики доступа", "auth.succeeded": "успешный вход",
        "auth.failed": "неудачный вход", "session.ended": "сеанс завершён", "audit.read": "просмотр журнала аудита",
        "consent.changed": "изменение согласия", "consent.scan_uploaded": "скан согласия приложен",
        "consent.scan_downloaded": "скан согласия скачан", "subject.erased": "данные уничтожены", "module.erased": "данные модуля удалены",
        "access_request.handled": "запрос субъекта на доступ", "legal_hold.changed": "запрет уничтожения изменён",
        "retention.changed": "срок хранения изменён", "pupils.imported": "загрузка списка учеников",
        "pupil.transferred": "перевод ученика", "staff.consent_recorded": "согласие сотрудника записано",
    ]
}
