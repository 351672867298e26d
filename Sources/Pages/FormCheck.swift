import Foundation

/// The checks the staff's forms share, each putting its Russian message next to its field.
public enum FormCheck {
    /// `text` trimmed, required, at most `max` characters; `nil` (with the message) otherwise.
    public static func text(_ text: String?, max: Int, field: String, in form: inout CheckedForm) -> String? {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            form.refuse(field, "Заполните это поле.")
            return nil
        }
        guard trimmed.count <= max else {
            form.refuse(field, "Не длиннее \(max) символов.")
            return nil
        }
        return trimmed
    }

    /// A whole number in `range` (spaces allowed, as in «1 000»); `nil` (with the message) otherwise.
    public static func number(_ text: String?, in range: ClosedRange<Int>, field: String, in form: inout CheckedForm) -> Int? {
        let digits = (text ?? "").filter { !$0.isWhitespace }
        guard !digits.isEmpty else {
            form.refuse(field, "Заполните это поле.")
            return nil
        }
        guard digits.count <= 9, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits), range.contains(value) else {
            form.refuse(field, "Введите целое число от \(range.lowerBound) до \(range.upperBound).")
            return nil
        }
        return value
    }
}
