/// One input of a page's form, as the template draws it: its label, its value as typed, and the
/// message next to it when the value was refused.
public struct FormField: Sendable, Hashable {
    /// How the input is drawn.
    public enum Kind: String, Sendable, Hashable {
        case text, date, tel, select, checkbox, password
    }

    /// One choice of a `select`.
    public struct Option: Sendable, Hashable {
        public let value: String
        public let label: String
        public var selected: Bool
    }

    /// The field's name (`surname`, `guardian_phone`, …), also the input's `id`.
    public let name: String
    /// The label, in Russian.
    public let label: String
    /// A short hint under the label, in Russian; empty for none.
    public let hint: String
    public let kind: Kind
    public let required: Bool
    /// The value as submitted (never a password).
    public private(set) var value: String
    /// The message shown next to the field, in Russian; `nil` when the value was accepted.
    public var error: String?
    /// The choices of a `select`.
    public var options: [Option]

    // What the template tests, stored because Mustache reads stored properties only and has no
    // comparisons.
    public let isSelect: Bool
    public let isCheckbox: Bool
    /// An `<input>` of ``inputType`` (neither a select nor a checkbox).
    public let isInput: Bool
    public let hasHint: Bool
    /// The `type` of an `<input>`.
    public let inputType: String
    /// A checkbox that was ticked (``value`` `on`).
    public private(set) var checked: Bool

    public init(name: String, label: String, hint: String = "", kind: Kind = .text, required: Bool = false, options: [Option] = []) {
        self.name = name
        self.label = label
        self.hint = hint
        self.kind = kind
        self.required = required
        self.value = ""
        self.error = nil
        self.options = options
        self.isSelect = kind == .select
        self.isCheckbox = kind == .checkbox
        self.isInput = kind != .select && kind != .checkbox
        self.hasHint = !hint.isEmpty
        self.inputType = kind.rawValue
        self.checked = false
    }

    /// The field with `submitted` as its value (a select's option chosen, a checkbox ticked).
    func filled(with submitted: String) -> FormField {
        var field = self
        field.value = submitted
        field.checked = isCheckbox && submitted == "on"
        field.options = options.map { option in
            var option = option
            option.selected = option.value == submitted
            return option
        }
        return field
    }
}

/// A group of fields under a legend (`<fieldset>`).
public struct FormSection: Sendable, Hashable {
    public let legend: String
    public var fields: [FormField]

    public init(legend: String, fields: [FormField]) {
        self.legend = legend
        self.fields = fields
    }
}
