public import Foundation

/// Dates, names and roles as Russians write them on a page.
public enum RussianFormat {
    /// `ДД.ММ.ГГГГ` of an ISO date (`2011-04-02` → `02.04.2011`); the text unchanged when it is not
    /// one (it is shown, never guessed at).
    public static func date(iso text: String) -> String {
        let parts = text.prefix(10).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return text }
        return "\(parts[2]).\(parts[1]).\(parts[0])"
    }

    /// `Фамилия Имя Отчество`: surname first, the patronymic when there is one, single spaces.
    public static func fullName(surname: String, firstName: String, patronymic: String? = nil) -> String {
        [surname, firstName, patronymic ?? ""]
            .map { $0.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
            .filter { !$0.isEmpty }
            .joined(separator: " ")
    }

    /// A staff role's name in Russian (the raw value of `StaffRole`); the raw value when unknown.
    public static func role(_ raw: String) -> String {
        switch raw {
        case "operator": "оператор платформы"
        case "regional_coordinator": "региональный координатор"
        case "school": "сотрудник школы"
        case "venue": "сотрудник площадки"
        case "navigator": "педагог-навигатор"
        case "mentor": "наставник"
        case "methodologist": "методист"
        case "compliance_officer": "ответственный за защиту данных"
        case "security_admin": "администратор безопасности"
        default: raw
        }
    }
}

extension RussianFormat {
    /// `ДД.ММ.ГГГГ ЧЧ:ММ` of `date` in UTC (the time a session ends, as the page says: "по UTC").
    public static func dateTime(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return "\(two(parts.day)).\(two(parts.month)).\(String(format: "%04d", parts.year ?? 0)) \(two(parts.hour)):\(two(parts.minute))"
    }
}
