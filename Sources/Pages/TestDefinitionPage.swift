/// The methodologist's tests page: the versions as a table and the upload's refusals, each issue
/// with its place in the definition (section, question, the line the question starts on) and a
/// message in Russian.
public enum TestDefinitionPage {
    /// One refusal of the validator, as the table shows it.
    public struct Issue: Sendable, Hashable {
        /// `№ 2`, or `—` when the issue is about the whole test.
        public let section: String
        /// The question's id, or `—`.
        public let question: String
        /// The definition's line where the question's id is written, or `—` when it cannot be told.
        public let line: String
        /// What is wrong, in Russian.
        public let message: String
        /// The validator's own sentence (English, with the definition's identifiers and numbers).
        public let detail: String

        public init(section: String, question: String, line: String, message: String, detail: String) {
            self.section = section
            self.question = question
            self.line = line
            self.message = message
            self.detail = detail
        }
    }

    /// One stored version in the table.
    public struct Version: Sendable, Hashable {
        public let code: String
        public let version: Int
        public let title: String
        /// «черновик» or «опубликована».
        public let state: String
        /// Whether the version is a draft (the publish button).
        public let isDraft: Bool
        /// `ДД.ММ.ГГГГ ЧЧ:ММ` of the upload.
        public let uploaded: String
        /// `ДД.ММ.ГГГГ ЧЧ:ММ` of the publication, or `—`.
        public let published: String

        public init(code: String, version: Int, title: String, isDraft: Bool, uploaded: String, published: String) {
            self.code = code
            self.version = version
            self.title = title
            self.state = isDraft ? "черновик" : "опубликована"
            self.isDraft = isDraft
            self.uploaded = uploaded
            self.published = published
        }
    }

    /// The Russian message of a validator issue's code (`DefinitionIssue.Code`'s raw value).
    public static func message(code: String) -> String {
        switch code {
        case "too-large": "Определение теста слишком большое: допускается до 256 КБ."
        case "malformed": "Это не JSON в формате определения теста, или у поля неверный тип."
        case "missing": "Не хватает обязательного поля."
        case "invalid-code": "Код теста: от 1 до 64 строчных латинских букв, цифр и «-»."
        case "invalid-version": "Версия должна быть целым числом от 1."
        case "invalid-time-limit": "Ограничение времени: от 60 до 14 400 секунд."
        case "invalid-attempts": "Число попыток: от 1 до 10."
        case "invalid-identifier": "Идентификатор: от 1 до 64 латинских букв, цифр и знаков «_», «-», «.»."
        case "invalid-text": "Текст пуст или слишком длинный."
        case "duplicate-id": "Такой идентификатор уже использован."
        case "unknown-kind": "Неизвестный тип вопроса."
        case "empty": "Раздел без вопросов, тест без разделов или вопрос с выбором без вариантов."
        case "too-few-items": "В вопросе на упорядочивание должно быть не меньше двух пунктов."
        case "invalid-scale": "Минимум шкалы должен быть меньше максимума, шкала — не шире 100 шагов."
        case "unexpected-member": "Поле не используется вопросом этого типа."
        case "unknown-dimension": "Такого направления нет в каталоге."
        case "invalid-weight": "Вес — число от 0 до 10."
        case "too-many": "Слишком много разделов, вопросов или вариантов."
        default: "Определение теста не прошло проверку."
        }
    }

    /// The 1-based line of `text` where the question `question` is named (`"id": "<question>"`);
    /// `nil` when no line names it (a question without a usable id, shown as `#3`).
    public static func line(of question: String, in text: String) -> Int? {
        guard !question.hasPrefix("#") else { return nil }
        let quoted = "\"" + question + "\""
        // a browser posts a text field's lines with CRLF, one Character in Swift: split on any newline
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            guard let range = line.range(of: quoted) else { continue }
            let before = line[..<range.lowerBound].replacingOccurrences(of: " ", with: "")
            if before.hasSuffix("\"id\":") { return index + 1 }
        }
        return nil
    }

    /// The table row of an issue of `code` at `section` and `question`, with `detail`, located in `text`.
    public static func issue(code: String, section: Int?, question: String?, detail: String, in text: String) -> Issue {
        Issue(
            section: section.map { "№ \($0)" } ?? "—", question: question ?? "—",
            line: question.flatMap { line(of: $0, in: text) }.map(String.init) ?? "—", message: message(code: code), detail: detail)
    }
}
