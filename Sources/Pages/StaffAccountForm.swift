import Foundation

/// The regional coordinator's form to create a school's or venue's first staff account: the
/// organisation, chosen among the region's registered schools and venues, and the login. The
/// role is the organisation's own (`school` for a school, `venue` for a venue: the only roles a
/// coordinator may grant, each fitting one kind), so there is nothing else to choose. Each refusal
/// in Russian next to its field; the accounts check everything again.
public enum StaffAccountForm {
    /// The form's fields, empty, with the region's `organisations` to choose from
    /// (``EventForm/Choice``: value `school/77-0001`, a label in Russian).
    public static func sections(organisations: [EventForm.Choice]) -> [FormSection] {
        [
            FormSection(
                legend: "Учётная запись",
                fields: [
                    FormField(
                        name: "organisation", label: "Организация", hint: "Школа получает учётную запись школы, площадка — площадки",
                        kind: .select, required: true,
                        options: [FormField.Option(value: "", label: "— выберите —", selected: false)]
                            + organisations.map { FormField.Option(value: $0.value, label: $0.label, selected: false) }),
                    FormField(
                        name: "login", label: "Логин", hint: "Латинские строчные буквы, цифры и . _ @ -, с буквы или цифры, до 128 знаков",
                        required: true),
                ])
        ]
    }

    /// An account that passed the check: the organisation as chosen (`school/77-0001`) and the
    /// login as the accounts store it.
    public struct Account: Sendable, Hashable {
        public let organisation: String
        public let login: String

        public init(organisation: String, login: String) {
            self.organisation = organisation
            self.login = login
        }
    }

    /// The outcome of a submission.
    public enum Outcome: Sendable, Hashable {
        case valid(Account)
        case invalid(CheckedForm)
    }

    /// Checks `values` against the region's `organisations`; `login` is the accounts' own rule (the
    /// login as stored, `nil` when refused).
    public static func check(_ values: FormValues, organisations: [EventForm.Choice], login normalised: (String) -> String?) -> Outcome {
        var form = CheckedForm(sections(organisations: organisations), values: values)
        let organisation = values["organisation"].flatMap { value in organisations.contains { $0.value == value } ? value : nil }
        if organisation == nil { form.refuse("organisation", "Выберите школу или площадку из списка.") }
        let typed = (values["login"] ?? "").trimmingCharacters(in: .whitespaces)
        let login = typed.isEmpty ? nil : normalised(typed)
        if typed.isEmpty {
            form.refuse("login", "Заполните это поле.")
        } else if login == nil {
            form.refuse("login", "Только латинские буквы, цифры и . _ @ -, первой — буква или цифра, до 128 знаков.")
        }
        guard !form.hasErrors, let organisation, let login else { return .invalid(form) }
        return .valid(Account(organisation: organisation, login: login))
    }
}
