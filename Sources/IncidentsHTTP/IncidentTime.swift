import Foundation
import Incidents

/// The routes' times: RFC 3339 with an offset (`2026-12-07T09:30:00Z`, fractions allowed) in,
/// RFC 3339 in UTC out.
enum IncidentTime {
    /// The instant `text` names, or `invalid-incident` naming `field` when it is missing or malformed.
    static func parse(_ text: String?, _ field: String) throws(IncidentsError) -> Date {
        guard let text else { throw IncidentsError(.invalidArgument, "\(field) is missing") }
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        guard let date = plain.date(from: text) ?? fractional.date(from: text) else {
            throw IncidentsError(.invalidArgument, "\(field) is not an RFC 3339 time")
        }
        return date
    }

    static func format(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
