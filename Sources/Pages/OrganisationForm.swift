import Foundation
import Identity
public import Organisations

/// The regional coordinator's form to register a school or venue of the coordinator's own region:
/// kind, registry code, name, address, ИНН, ОГРН and the data-processing agreement (number, day,
/// signatory). A submission is checked with the registry's own rules (``OrganisationRegistration``,
/// ``TaxIdentifiers``), each refusal in Russian next to its field; the registry checks everything
/// again when it stores the organisation.
public enum OrganisationForm {
    /// The form's fields, empty.
    public static let sections: [FormSection] = [
        FormSection(
            legend: "Организация",
            fields: [
                FormField(
                    name: "kind", label: "Вид", kind: .select, required: true,
                    options: [
                        .init(value: "", label: "— выберите —", selected: false), .init(value: "school", label: "школа", selected: false),
                        .init(value: "venue", label: "площадка", selected: false),
                    ]),
                FormField(name: "id", label: "Код в реестре", hint: "Латинские буквы, цифры и дефисы, например 77-0003", required: true),
                FormField(name: "name", label: "Полное название", hint: "До 500 символов", required: true),
                FormField(name: "address", label: "Адрес", required: true),
                FormField(name: "inn", label: "ИНН", hint: "10 цифр (12 у предпринимателя)", required: true),
                FormField(name: "ogrn", label: "ОГРН", hint: "13 цифр (15 у ОГРНИП)", required: true),
            ]),
        FormSection(
            legend: "Соглашение об обработке персональных данных",
            fields: [
                FormField(name: "agreement_number", label: "Номер соглашения", required: true),
                FormField(name: "agreement_signed_on", label: "Дата подписания", hint: "ДД.ММ.ГГГГ", kind: .date, required: true),
                FormField(
                    name: "agreement_signatory", label: "Подписал от организации", hint: "Руководитель, как в ЕГРЮЛ; на страницах не показывается",
                    required: true),
            ]),
    ]

    /// The outcome of a submission.
    public enum Outcome: Sendable, Hashable {
        case valid(OrganisationRegistration)
        case invalid(CheckedForm)
    }

    /// Checks `values` for an organisation of `region` (the coordinator's own).
    public static func check(_ values: FormValues, region: String) -> Outcome {
        var form = CheckedForm(sections, values: values)
        let kind = OrganisationKind(rawValue: values["kind"] ?? "").flatMap { $0 == .school || $0 == .venue ? $0 : nil }
        if kind == nil { form.refuse("kind", "Выберите, школа это или площадка.") }
        let id = OrganisationID((values["id"] ?? "").trimmingCharacters(in: .whitespaces))
        if id == nil { form.refuse("id", "Латинские буквы, цифры и дефисы (не в начале и не в конце), до 32 символов.") }
        let name = text(values["name"], max: 500, field: "name", in: &form)
        let address = text(values["address"], max: 1000, field: "address", in: &form)
        let inn = (values["inn"] ?? "").filter { !$0.isWhitespace }
        if !inn.allSatisfy({ $0.isASCII && $0.isNumber }) || ![10, 12].contains(inn.count) {
            form.refuse("inn", "ИНН — 10 цифр (12 у предпринимателя).")
        } else if !TaxIdentifiers.isValidINN(inn) {
            form.refuse("inn", "Контрольные цифры ИНН не сходятся: проверьте номер.")
        }
        let ogrn = (values["ogrn"] ?? "").filter { !$0.isWhitespace }
        if !ogrn.allSatisfy({ $0.isASCII && $0.isNumber }) || ![13, 15].contains(ogrn.count) {
            form.refuse("ogrn", "ОГРН — 13 цифр (15 у ОГРНИП).")
        } else if !TaxIdentifiers.isValidOGRN(ogrn) {
            form.refuse("ogrn", "Контрольная цифра ОГРН не сходится: проверьте номер.")
        }
        let number = text(values["agreement_number"], max: 64, field: "agreement_number", in: &form)
        let signedOn = RussianFormat.isoDate(typed: values["agreement_signed_on"] ?? "")
        if signedOn == nil { form.refuse("agreement_signed_on", "Введите дату в виде ДД.ММ.ГГГГ.") }
        let signatory = text(values["agreement_signatory"], max: 300, field: "agreement_signatory", in: &form)
        guard !form.hasErrors, let kind, let id, let name, let address, let number, let signedOn, let signatory else { return .invalid(form) }
        let registration = OrganisationRegistration(
            organisation: Organisation(kind: kind, id: id), region: region, name: name, address: address, inn: inn, ogrn: ogrn,
            agreement: DataProcessingAgreement(number: number, signedOn: signedOn, signatory: signatory))
        do {
            try registration.validated()
        } catch {
            form.message = "Реестр не принял значения организации. Проверьте форму."
            return .invalid(form)
        }
        return .valid(registration)
    }

    /// `FormCheck.text`, and no control characters (a line break only in the address).
    static func text(_ value: String?, max: Int, field: String, in form: inout CheckedForm) -> String? {
        guard let text = FormCheck.text(value, max: max, field: field, in: &form) else { return nil }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 && !(field == "address" && $0 == "\n") }) else {
            form.refuse(field, "Без управляющих символов.")
            return nil
        }
        return text
    }
}
