import Foundation

/// The mentor's attendance list, in Russian: one row per seated pupil with the name as the
/// policy and the pupil's consent release it (first name and the surname's initial), or why it is
/// withheld, and the mark's form.
public enum AttendanceSheet {
    /// One pupil.
    public struct Row: Sendable, Hashable {
        /// The pupil's trials token: the mark form's address (a pseudonym, no personal data).
        public let pupil: String
        /// «Анна Т.», or «Ученик 3 (имя скрыто: нет согласия)».
        public let name: String
        public let attended: Bool
        public let marked: Bool
        public let grades: [FormField.Option]
        public let feedback: String
        /// The row's number, from 1 (the inputs' ids).
        public let number: Int
        /// The message next to the mark's fields when it was refused.
        public var error: String?

        public init(number: Int, pupil: String, firstName: String?, surnameInitial: String?, withheld: String?, attended: Bool?, grade: Int?, feedback: String?) {
            self.number = number
            self.pupil = pupil
            if let firstName {
                name = [firstName, surnameInitial.map { $0.hasSuffix(".") ? $0 : $0 + "." } ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
            } else {
                name = "Ученик \(number) (имя скрыто: \(AttendanceSheet.withheld(withheld)))"
            }
            self.attended = attended ?? false
            self.marked = attended != nil
            self.grades = [FormField.Option(value: "", label: "без оценки", selected: grade == nil)]
                + (1...5).map { FormField.Option(value: String($0), label: String($0), selected: grade == $0) }
            self.feedback = feedback ?? ""
        }
    }

    /// Why a name is not shown, in Russian.
    public static func withheld(_ code: String?) -> String {
        switch code {
        case "consent-missing": "нет согласия на этот вид обработки"
        case "forbidden": "нет доступа по правилам"
        default: "недоступно"
        }
    }

    /// A mark as the form sends it: attended, the grade (1–5 or none) and the feedback.
    public struct Mark: Sendable, Hashable {
        public let attended: Bool
        public let grade: Int?
        public let feedback: String?

        public init(attended: Bool, grade: Int?, feedback: String?) {
            self.attended = attended
            self.grade = grade
            self.feedback = feedback
        }
    }

    /// The mark of a row's form, or the Russian message of its refusal (a grade for an absent
    /// pupil, a grade outside 1–5, feedback over 4000 characters).
    public static func mark(_ values: FormValues) -> Result<Mark, MarkRefusal> {
        let attended = values["attended"] == "on"
        var grade: Int?
        if let text = values["grade"], !text.isEmpty {
            guard let value = Int(text), (1...5).contains(value) else { return .failure(MarkRefusal("Оценка — от 1 до 5.")) }
            guard attended else { return .failure(MarkRefusal("Оценку ставят только присутствовавшему.")) }
            grade = value
        }
        let feedback = (values["feedback"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard feedback.count <= 4000 else { return .failure(MarkRefusal("Отзыв не длиннее 4000 символов.")) }
        return .success(Mark(attended: attended, grade: grade, feedback: feedback.isEmpty ? nil : feedback))
    }

    /// A refused mark's message, in Russian.
    public struct MarkRefusal: Error, Sendable, Hashable {
        public let message: String
        init(_ message: String) { self.message = message }
    }
}
