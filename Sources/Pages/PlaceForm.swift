/// The venue's form to register a place: name, address, capacity, each refused value with its
/// message next to its field; the trials module checks everything again.
public enum PlaceForm {
    /// The form's fields, empty.
    public static let sections: [FormSection] = [
        FormSection(
            legend: "Новое место проведения",
            fields: [
                FormField(name: "name", label: "Название", hint: "Например, Мастерская № 1", required: true),
                FormField(name: "address", label: "Адрес", required: true),
                FormField(name: "capacity", label: "Вместимость", hint: "Число мест, от 1 до 100 000", required: true),
            ])
    ]

    /// A place that passed the check.
    public struct Place: Sendable, Hashable {
        public let name: String
        public let address: String
        public let capacity: Int

        public init(name: String, address: String, capacity: Int) {
            self.name = name
            self.address = address
            self.capacity = capacity
        }
    }

    /// The outcome of a submission.
    public enum Outcome: Sendable, Hashable {
        case valid(Place)
        case invalid(CheckedForm)
    }

    /// Checks `values`.
    public static func check(_ values: FormValues) -> Outcome {
        var form = CheckedForm(sections, values: values)
        let name = FormCheck.text(values["name"], max: 300, field: "name", in: &form)
        let address = FormCheck.text(values["address"], max: 1000, field: "address", in: &form)
        let capacity = FormCheck.number(values["capacity"], in: 1...100_000, field: "capacity", in: &form)
        guard !form.hasErrors, let name, let address, let capacity else { return .invalid(form) }
        return .valid(Place(name: name, address: address, capacity: capacity))
    }
}
