/// The value checks of an import row. Each returns the normalised value or nil; none of them
/// echoes what it was given.
enum ImportValues {
    /// A calendar date `YYYY-MM-DD` as (year, month, day).
    struct Day: Hashable, Comparable, Sendable {
        let year: Int
        let month: Int
        let day: Int

        static func < (lhs: Day, rhs: Day) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }

        var iso: String {
            func pad(_ value: Int, _ width: Int) -> String {
                let text = String(value)
                return String(repeating: "0", count: max(0, width - text.count)) + text
            }
            return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
        }

        /// Full years from this day (a birth date) to `other`.
        func age(on other: Day) -> Int {
            var years = other.year - year
            if (other.month, other.day) < (month, day) { years -= 1 }
            return years
        }
    }

    /// `DD.MM.YYYY` (Russian spreadsheets) or `YYYY-MM-DD`; impossible dates refused.
    static func date(_ text: String) -> Day? {
        let parts: [Substring]
        let year: Int?, month: Int?, day: Int?
        if text.contains(".") {
            parts = text.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count <= 2, parts[1].count <= 2, parts[2].count == 4 else { return nil }
            (day, month, year) = (digits(parts[0]), digits(parts[1]), digits(parts[2]))
        } else {
            parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2 else { return nil }
            (year, month, day) = (digits(parts[0]), digits(parts[1]), digits(parts[2]))
        }
        guard let year, let month, let day, (1900...2200).contains(year), (1...12).contains(month), day >= 1,
              day <= daysIn(month: month, year: year)
        else { return nil }
        return Day(year: year, month: month, day: day)
    }

    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return Int(text)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// A SNILS with a valid checksum (numbers up to 001-001-998 predate the checksum), formatted
    /// `123-456-789 01`.
    static func snils(_ text: String) -> String? {
        guard text.utf8.allSatisfy({ (0x30...0x39).contains($0) || $0 == 0x20 || $0 == 0x2D }) else { return nil }
        let digits = text.utf8.filter { (0x30...0x39).contains($0) }.map { Int($0 - 0x30) }
        guard digits.count == 11 else { return nil }
        let number = digits[0..<9].reduce(0) { $0 * 10 + $1 }
        let check = digits[9] * 10 + digits[10]
        if number > 1_001_998 {
            var sum = 0
            for (index, digit) in digits[0..<9].enumerated() { sum += digit * (9 - index) }
            let expected: Int
            if sum < 100 {
                expected = sum
            } else if sum == 100 || sum == 101 {
                expected = 0
            } else {
                let rest = sum % 101
                expected = rest == 100 ? 0 : rest
            }
            guard expected == check else { return nil }
        }
        let text = digits.map(String.init).joined()
        let characters = Array(text)
        return String(characters[0..<3]) + "-" + String(characters[3..<6]) + "-" + String(characters[6..<9]) + " "
            + String(characters[9..<11])
    }

    /// A phone number: digits, spaces, `+ - ( )`, 10 to 15 digits; `8XXXXXXXXXX` becomes
    /// `+7XXXXXXXXXX`, a 10-digit number gets `+7`, anything else `+` and its digits.
    static func phone(_ text: String) -> String? {
        let allowed = Set("0123456789+ -()")
        guard text.allSatisfy({ allowed.contains($0) }) else { return nil }
        let digits = text.filter { $0.isASCII && $0.isNumber }
        guard (10...15).contains(digits.count) else { return nil }
        if digits.count == 11, digits.hasPrefix("8"), !text.hasPrefix("+") { return "+7" + digits.dropFirst() }
        if digits.count == 10, !text.hasPrefix("+") { return "+7" + digits }
        return "+" + digits
    }

    /// A personal name: letters of any script, with spaces, hyphens, apostrophes and full stops
    /// between them.
    static func name(_ text: String) -> String? {
        guard text.unicodeScalars.contains(where: \.properties.isAlphabetic) else { return nil }
        for scalar in text.unicodeScalars {
            if scalar.properties.isAlphabetic { continue }
            if [" ", "-", "'", "’", "."].contains(scalar) { continue }
            return nil
        }
        // Collapse inner runs of spaces.
        return text.split(separator: " ").joined(separator: " ")
    }

    /// A grade 1 to 11.
    static func grade(_ text: String) -> String? {
        guard let grade = Int(text), (1...11).contains(grade), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return String(grade)
    }

    /// Free printable text (a form number, a class name): no control characters.
    static func printable(_ text: String) -> String? {
        text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) ? nil : text
    }

    /// The relations the `guardian_relation` column takes; empty means `parent`.
    static let relations: Set<String> = ["mother", "father", "parent", "guardian"]
}
