import Foundation
public import Trials

/// The venue's form to create an event for the coordinator's approval: its fields (the place and
/// the mentor chosen among the venue's own), and the check of a submission with the trials
/// module's rules, each refusal in Russian next to its field. Times are typed in Moscow time;
/// the module checks everything again when it stores the event.
public enum EventForm {
    /// A choice of the select fields: a place or a mentor of the venue.
    public struct Choice: Sendable, Hashable {
        public let value: String
        public let label: String

        public init(value: String, label: String) {
            self.value = value
            self.label = label
        }
    }

    /// The form's fields, empty, with `places` and `mentors` to choose from.
    public static func sections(places: [Choice], mentors: [Choice]) -> [FormSection] {
        func options(_ choices: [Choice], none: String?) -> [FormField.Option] {
            (none.map { [FormField.Option(value: "", label: $0, selected: false)] } ?? [])
                + choices.map { FormField.Option(value: $0.value, label: $0.label, selected: false) }
        }
        return [
            FormSection(
                legend: "Мероприятие",
                fields: [
                    FormField(name: "title", label: "Название", hint: "До 300 символов", required: true),
                    FormField(
                        name: "kind", label: "Вид", kind: .select, required: true,
                        options: TrialEvent.Kind.allCases.map { .init(value: $0.rawValue, label: RussianFormat.eventKind($0), selected: false) }),
                    FormField(
                        name: "format", label: "Формат", kind: .select, required: true,
                        options: TrialEvent.Format.allCases.map { .init(value: $0.rawValue, label: RussianFormat.eventFormat($0), selected: false) }),
                    FormField(name: "place", label: "Место проведения", kind: .select, required: true, options: options(places, none: "— выберите —")),
                    FormField(name: "capacity", label: "Число мест", hint: "Не больше вместимости места", required: true),
                    FormField(name: "sphere", label: "Сфера", hint: "Латиницей, например engineering", required: true),
                    FormField(name: "competencies", label: "Компетенции", hint: "Латиницей через запятую, например robotics, design"),
                    FormField(name: "mentor", label: "Наставник", kind: .select, options: options(mentors, none: "— назначить позже —")),
                ]),
            FormSection(
                legend: "Время (московское)",
                fields: [
                    FormField(name: "starts_on", label: "Дата начала", hint: "ДД.ММ.ГГГГ", kind: .date, required: true),
                    FormField(name: "starts_at", label: "Время начала", hint: "ЧЧ:ММ, например 09:00", required: true),
                    FormField(name: "ends_on", label: "Дата окончания", hint: "ДД.ММ.ГГГГ", kind: .date, required: true),
                    FormField(name: "ends_at", label: "Время окончания", hint: "ЧЧ:ММ, например 17:00", required: true),
                ]),
        ]
    }

    /// The form naming (or changing) an event's mentor later: one of the venue's registered
    /// `mentors`, required.
    public static func mentorSections(mentors: [Choice]) -> [FormSection] {
        [
            FormSection(
                legend: "Наставник",
                fields: [
                    FormField(
                        name: "mentor", label: "Наставник", kind: .select, required: true,
                        options: [FormField.Option(value: "", label: "— выберите —", selected: false)]
                            + mentors.map { FormField.Option(value: $0.value, label: $0.label, selected: false) })
                ])
        ]
    }

    /// The values of a stored event as the form shows them to be edited: its details, the days as
    /// `YYYY-MM-DD` (what a date input takes; the check reads both forms) and the times as `ЧЧ:ММ`
    /// in Moscow time, the competencies separated by commas.
    public static func values(of details: EventDetails) -> FormValues {
        func moscow(_ date: Date) -> (day: String, time: String) {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = RussianFormat.moscow
            let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
            return (
                String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0),
                String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
            )
        }
        let start = moscow(details.startsAt)
        let end = moscow(details.endsAt)
        return FormValues([
            "title": details.title, "kind": details.kind.rawValue, "format": details.format.rawValue, "place": String(details.place),
            "capacity": String(details.capacity), "sphere": details.sphere, "competencies": details.competencies.joined(separator: ", "),
            "mentor": details.mentor ?? "", "starts_on": start.day, "starts_at": start.time, "ends_on": end.day, "ends_at": end.time,
        ])
    }

    /// The outcome of a submission.
    public enum Outcome: Sendable, Hashable {
        case valid(EventDetails)
        case invalid(CheckedForm)
    }

    /// Checks `values` against the venue's `places` and `mentors`.
    public static func check(_ values: FormValues, places: [Choice], mentors: [Choice]) -> Outcome {
        var form = CheckedForm(sections(places: places, mentors: mentors), values: values)
        let title = FormCheck.text(values["title"], max: 300, field: "title", in: &form)
        let kind = TrialEvent.Kind(rawValue: values["kind"] ?? "")
        if kind == nil { form.refuse("kind", "Выберите вид мероприятия.") }
        let format = TrialEvent.Format(rawValue: values["format"] ?? "")
        if format == nil { form.refuse("format", "Выберите формат.") }
        let place = values["place"].flatMap { value in places.contains { $0.value == value } ? Int64(value) : nil }
        if place == nil { form.refuse("place", "Выберите место проведения.") }
        let capacity = FormCheck.number(values["capacity"], in: 1...100_000, field: "capacity", in: &form)
        let sphere = (values["sphere"] ?? "").trimmingCharacters(in: .whitespaces)
        if !EventDetails.isIdentifier(sphere) { form.refuse("sphere", "Латинские строчные буквы, цифры и «_», до 64 символов.") }
        let competencies = (values["competencies"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        if competencies.count > 64 || !competencies.allSatisfy(EventDetails.isIdentifier) || Set(competencies).count != competencies.count {
            form.refuse("competencies", "До 64 разных обозначений латиницей через запятую.")
        }
        var mentor: String?
        if let chosen = values["mentor"], !chosen.isEmpty {
            if mentors.contains(where: { $0.value == chosen }) { mentor = chosen } else { form.refuse("mentor", "Выберите наставника из списка.") }
        }
        let start = time(values["starts_on"], values["starts_at"], date: "starts_on", clock: "starts_at", in: &form)
        let end = time(values["ends_on"], values["ends_at"], date: "ends_on", clock: "ends_at", in: &form)
        if let start, let end {
            if end <= start {
                form.refuse("ends_at", "Окончание должно быть позже начала.")
            } else if end.timeIntervalSince(start) > EventDetails.maximumDuration {
                form.refuse("ends_on", "Мероприятие длится не больше 31 дня.")
            }
        }
        guard !form.hasErrors, let title, let kind, let format, let place, let capacity, let start, let end else { return .invalid(form) }
        return .valid(
            EventDetails(
                kind: kind, title: title, startsAt: start, endsAt: end, place: place, capacity: capacity, sphere: sphere,
                competencies: competencies, format: format, mentor: mentor))
    }

    /// The moment of a day (`ДД.ММ.ГГГГ` or `YYYY-MM-DD`) and a time (`ЧЧ:ММ`) in Moscow time.
    static func time(_ day: String?, _ clock: String?, date dateField: String, clock clockField: String, in form: inout CheckedForm) -> Date? {
        let iso = day.flatMap(RussianFormat.isoDate(typed:))
        if iso == nil { form.refuse(dateField, "Введите дату в виде ДД.ММ.ГГГГ.") }
        let parts = (clock ?? "").trimmingCharacters(in: .whitespaces).split(separator: ":")
        var minutes: Int?
        if parts.count == 2, parts.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        {
            minutes = hour * 60 + minute
        } else {
            form.refuse(clockField, "Введите время в виде ЧЧ:ММ.")
        }
        guard let iso, let minutes else { return nil }
        let numbers = iso.split(separator: "-").compactMap { Int($0) }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = RussianFormat.moscow
        return calendar.date(from: DateComponents(year: numbers[0], month: numbers[1], day: numbers[2], hour: minutes / 60, minute: minutes % 60))
    }
}
