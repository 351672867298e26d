/// The navigator's pages' sentences about an enrolment, in Russian: what an enrolment came to
/// (seated, waiting with the place in line, already enrolled) and what a cancellation did.
public enum EnrolmentText {
    /// After `POST …/enrolments`: `seated` or waiting at `position`; `again` when the pupil was
    /// enrolled already (the API's `200`: the enrolment as it stands).
    public static func enrolled(seated: Bool, position: Int?, again: Bool) -> String {
        let state = seated ? "место за учеником" : "мест нет, ученик в листе ожидания" + (position.map { " (\($0)-й)" } ?? "")
        return (again ? "Ученик уже был записан: " : "Ученик записан: ") + state + "."
    }

    /// After a cancellation: what the enrolment was, and whether the first in line got the seat.
    public static func cancelled(wasSeated: Bool, promoted: Bool) -> String {
        "Запись отменена (" + (wasSeated ? "ученик занимал место" : "ученик был в листе ожидания") + ")"
            + (promoted ? "; освободившееся место получил первый из листа ожидания." : ".")
    }

    /// One of the navigator's own enrolments in an event, as the seats view lists them.
    public static func own(seated: Bool, position: Int?) -> String {
        seated ? "место" : "лист ожидания" + (position.map { ", \($0)-й" } ?? "")
    }
}
