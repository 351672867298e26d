public import Foundation

extension RussianFormat {
    /// The ISO date (`YYYY-MM-DD`) of a day typed as Russians write it (`ДД.ММ.ГГГГ`) or sent by a
    /// date input (`YYYY-MM-DD`); `nil` for anything else, an impossible day (`31.02.2026`) included.
    public static func isoDate(typed text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let russian = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let iso = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        let parts: [Substring]
        if russian.count == 3, russian[0].count == 2, russian[1].count == 2, russian[2].count == 4 {
            parts = [russian[2], russian[1], russian[0]]
        } else if iso.count == 3, iso[0].count == 4, iso[1].count == 2, iso[2].count == 2 {
            parts = iso
        } else {
            return nil
        }
        guard parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }), let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), let date = utcDate(year: year, month: month, day: day)
        else { return nil }
        let back = utcCalendar.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return "\(parts[0])-\(parts[1])-\(parts[2])"
    }

    /// The ISO date of the day after `iso` (`2026-12-31` → `2027-01-01`); `nil` when `iso` is not a day.
    public static func nextDay(iso: String) -> String? {
        guard let day = isoDate(typed: iso), let date = utcDate(iso: day),
            let next = utcCalendar.date(byAdding: .day, value: 1, to: date)
        else { return nil }
        let parts = utcCalendar.dateComponents([.year, .month, .day], from: next)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// `ДД.ММ.ГГГГ ЧЧ:ММ:СС` of `date` in UTC (an audit record's time, to the second).
    public static func dateTimeSeconds(_ date: Date) -> String {
        let parts = utcCalendar.dateComponents([.second], from: date)
        return dateTime(date) + String(format: ":%02d", parts.second ?? 0)
    }

    private static var utcCalendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    private static func utcDate(year: Int, month: Int, day: Int) -> Date? {
        utcCalendar.date(from: DateComponents(year: year, month: month, day: day))
    }

    private static func utcDate(iso: String) -> Date? {
        let parts = iso.split(separator: "-").compactMap { Int($0) }
        guard parts.count == 3 else { return nil }
        return utcDate(year: parts[0], month: parts[1], day: parts[2])
    }
}
