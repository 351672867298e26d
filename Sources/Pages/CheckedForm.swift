/// A form's fields with what was submitted and the messages of the refused values.
public struct CheckedForm: Sendable, Hashable {
    public var sections: [FormSection]
    /// A message about the whole form (a refusal not tied to one field), in Russian.
    public var message: String?

    /// `sections` filled with `values`, without messages.
    public init(_ sections: [FormSection], values: FormValues = FormValues(body: "")) {
        self.sections = sections.map { section in
            var section = section
            section.fields = section.fields.map { $0.filled(with: values[$0.name] ?? "") }
            return section
        }
        self.message = nil
    }

    /// Whether any field or the form has a message.
    public var hasErrors: Bool { message != nil || sections.contains { $0.fields.contains { $0.error != nil } } }

    /// The message next to `name`, if any.
    public func error(_ name: String) -> String? {
        sections.lazy.flatMap(\.fields).first { $0.name == name }?.error
    }

    /// Puts `message` next to the field `name` (the first message of a field stays).
    public mutating func refuse(_ name: String, _ message: String) {
        for s in sections.indices {
            for f in sections[s].fields.indices where sections[s].fields[f].name == name && sections[s].fields[f].error == nil {
                sections[s].fields[f].error = message
            }
        }
    }
}
