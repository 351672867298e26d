import Foundation
import Policy

/// Validation, normalisation and masking of field values.
///
/// Values are normalised before they are sealed so that equal data always looks the same (a
/// SNILS is `123-456-789 01`, a phone `+79161234567`), which the blind indexes rely on. Errors
/// name the field, never the value.
enum FieldRules {
    /// The longest value accepted for any field, in UTF-8 bytes.
    static let maximumByteCount = 1_024

    /// The normalised value, or an ``VaultError/Code/invalidValue`` naming the field.
    static func normalise(_ value: PersonalValue, for field: FieldName) throws(VaultError) -> PersonalValue {
        let trimmed = value.exposedText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.utf8.count <= maximumByteCount,
              !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw VaultError(.invalidValue, field: field, reason: "empty, too long or holds control characters") }
        switch field {
        case .birthDate:
            guard let date = CivilDate(iso: trimmed) else {
                throw VaultError(.invalidValue, field: field, reason: "not a date YYYY-MM-DD")
            }
            return PersonalValue(date.iso)
        case .snils:
            guard let snils = Snils(trimmed) else {
                throw VaultError(.invalidValue, field: field, reason: "not an 11-digit SNILS with a valid checksum")
            }
            return PersonalValue(snils.formatted)
        case .sex:
            guard ["male", "female"].contains(trimmed) else {
                throw VaultError(.invalidValue, field: field, reason: "not male or female")
            }
            return PersonalValue(trimmed)
        case .grade:
            guard let grade = Int(trimmed), (1...11).contains(grade) else {
                throw VaultError(.invalidValue, field: field, reason: "not a grade 1 to 11")
            }
            return PersonalValue(String(grade))
        case .email:
            let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), trimmed.utf8.count <= 254,
                  !trimmed.contains(where: \.isWhitespace)
            else { throw VaultError(.invalidValue, field: field, reason: "not an e-mail address") }
            return PersonalValue(String(parts[0]) + "@" + parts[1].lowercased())
        case .phone:
            let allowed = Set("0123456789+ -()")
            guard trimmed.allSatisfy({ allowed.contains($0) }) else {
                throw VaultError(.invalidValue, field: field, reason: "not a phone number")
            }
            let digits = trimmed.filter(\.isASCIIDigit)
            guard (10...15).contains(digits.count) else {
                throw VaultError(.invalidValue, field: field, reason: "not a phone number")
            }
            // Russian numbers written 8XXXXXXXXXX become +7XXXXXXXXXX.
            if digits.count == 11, digits.hasPrefix("8"), !trimmed.hasPrefix("+") {
                return PersonalValue("+7" + digits.dropFirst())
            }
            return PersonalValue("+" + digits)
        default:
            return PersonalValue(trimmed)
        }
    }

    /// The masked form of `value`: the first letter and a full stop, or the year of a date.
    static func mask(_ value: PersonalValue, with mask: Mask) -> PersonalValue {
        switch mask {
        case .initial:
            guard let first = value.exposedText.first else { return PersonalValue("") }
            return PersonalValue(String(first).uppercased() + ".")
        case .year:
            return PersonalValue(String(value.exposedText.prefix(4)))
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}

/// A calendar date without time or zone (a birth date).
struct CivilDate: Hashable, Sendable, Comparable {
    let year: Int
    let month: Int
    let day: Int

    /// Parses `YYYY-MM-DD` exactly, refusing impossible dates.
    init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1900...2200).contains(year), (1...12).contains(month), day >= 1,
              day <= CivilDate.days(inMonth: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC calendar date of `date`.
    init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year!, month: parts.month!, day: parts.day!)
    }

    var iso: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Full years from this date (a birth date) to `other`.
    func age(on other: CivilDate) -> Int {
        var years = other.year - year
        if (other.month, other.day) < (month, day) { years -= 1 }
        return years
    }

    static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// A SNILS (insurance number of an individual personal account): 9 digits and a 2-digit checksum.
struct Snils: Hashable, Sendable {
    let digits: [Int]

    /// Parses `123-456-789 01`, `12345678901` or similar, checking the checksum (numbers up to
    /// 001-001-998 predate the checksum and are accepted as written).
    init?(_ text: String) {
        let allowed = Set("0123456789 -")
        guard text.allSatisfy({ allowed.contains($0) }) else { return nil }
        let digits = text.compactMap(\.wholeNumberValue)
        guard digits.count == 11 else { return nil }
        let number = digits[0..<9].reduce(0) { $0 * 10 + $1 }
        let check = digits[9] * 10 + digits[10]
        if number > 1_001_998 {
            guard Snils.checksum(Array(digits[0..<9])) == check else { return nil }
        }
        self.digits = digits
    }

    /// The checksum of the first nine digits, as the Social Fund defines it.
    static func checksum(_ nine: [Int]) -> Int {
        var sum = 0
        for (index, digit) in nine.enumerated() { sum += digit * (9 - index) }
        if sum < 100 { return sum }
        if sum == 100 || sum == 101 { return 0 }
        let rest = sum % 101
        return rest == 100 ? 0 : rest
    }

    /// `123-456-789 01`.
    var formatted: String {
        let text = digits.map(String.init).joined()
        let characters = Array(text)
        return String(characters[0..<3]) + "-" + String(characters[3..<6]) + "-" + String(characters[6..<9]) + " "
            + String(characters[9..<11])
    }
}
