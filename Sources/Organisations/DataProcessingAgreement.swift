public import Foundation

/// The data-processing agreement an organisation signs when it is registered (the seed's
/// «Соглашение … и поручение на обработку персональных данных»): its number, the day it was
/// signed and who signed it for the organisation.
public struct DataProcessingAgreement: Sendable, Hashable, Codable {
    /// The agreement's number as written on it (1–64 characters).
    public var number: String
    /// The day it was signed, `YYYY-MM-DD`.
    public var signedOn: String
    /// The signatory (the organisation's head as the ЕГРЮЛ names them; 1–300 characters). Never
    /// written to the audit log or the logs.
    public var signatory: String

    enum CodingKeys: String, CodingKey {
        case number
        case signedOn = "signed_on"
        case signatory
    }

    public init(number: String, signedOn: String, signatory: String) {
        self.number = number
        self.signedOn = signedOn
        self.signatory = signatory
    }

    /// The signing day as a date at midnight UTC; nil unless `YYYY-MM-DD` names a real day.
    public var signingDay: Date? {
        let parts = signedOn.split(separator: "-", omittingEmptySubsequences: false)
        guard signedOn.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard components.isValidDate(in: calendar), let date = calendar.date(from: components) else { return nil }
        return date
    }
}
