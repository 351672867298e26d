import Foundation

/// The legal deadline of a subject-access request: the tenth working day after it was received
/// (152-FZ art. 14 part 3 and art. 20 part 1; the operator may extend it by five working days with
/// a reasoned notice, which this register does not model).
///
/// Working days are Monday to Friday. Public holidays and the government's transferred working
/// days (the production calendar) are deliberately ignored: the vault holds no holiday calendar.
/// Ignoring holidays can only make the computed deadline earlier than the legal one, never later,
/// so a school answering by it is always in time.
enum AccessRequestDeadline {
    /// Working days the operator has to answer.
    static let workingDays = 10

    /// The deadline for a request received on `receivedOn`: counting starts the day after receipt.
    static func deadline(receivedOn: CivilDate) -> CivilDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // A CivilDate is always a valid date, so these conversions cannot fail.
        var day = calendar.date(from: DateComponents(year: receivedOn.year, month: receivedOn.month, day: receivedOn.day))!
        var counted = 0
        while counted < workingDays {
            day = calendar.date(byAdding: .day, value: 1, to: day)!
            // Gregorian weekdays: 1 is Sunday, 7 is Saturday.
            let weekday = calendar.component(.weekday, from: day)
            if weekday != 1, weekday != 7 { counted += 1 }
        }
        return CivilDate(day)
    }
}
