public import Foundation
public import Trials

extension RussianFormat {
    /// Moscow time (UTC+3 all year since 2014): the time events are typed in and shown in.
    public static let moscow = TimeZone(secondsFromGMT: 3 * 3600)!

    /// `ДД.ММ.ГГГГ ЧЧ:ММ` of `date` in Moscow time.
    public static func moscowDateTime(_ date: Date) -> String {
        dateTime(date.addingTimeInterval(TimeInterval(moscow.secondsFromGMT(for: date))))
    }

    /// An event's status in Russian.
    public static func eventStatus(_ status: TrialEvent.Status) -> String {
        switch status {
        case .draft: "черновик"
        case .submitted: "на согласовании"
        case .approved: "согласовано"
        case .returned: "возвращено на доработку"
        }
    }

    /// An event's kind in Russian.
    public static func eventKind(_ kind: TrialEvent.Kind) -> String {
        switch kind {
        case .trial: "профпроба"
        case .massEvent: "массовое мероприятие"
        }
    }

    /// An event's format in Russian.
    public static func eventFormat(_ format: TrialEvent.Format) -> String {
        switch format {
        case .inPerson: "очно"
        case .online: "онлайн"
        }
    }
}
