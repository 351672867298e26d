/// Synthetic import files for tests and benchmarks: invented names (`Тест…`), SNILS numbers
/// with valid checksums that are nobody's, and phone numbers in an unassigned range. Every row is
/// distinct, so a file of any size up to ``PupilImportFile/maximumRows`` imports cleanly.
public enum SyntheticImport {
    /// The header, `;`-delimited, in the order the rows are written.
    public static let header =
        "surname;first_name;patronymic;birth_date;snils;grade;guardian_surname;guardian_first_name;guardian_patronymic;"
        + "guardian_phone;consent_number;consent_signed_on"

    private static let letters = Array("абвгдежзиклмнопрстуфхцчшэюя")
    private static let firstNames = ["Анна", "Иван", "Мария", "Пётр", "Ольга", "Денис", "Нина", "Глеб"]

    /// A surname no real register holds: `Тест`, a letter for `variant` and three letters made
    /// from `index`.
    public static func surname(_ index: Int, variant: Int = 0) -> String {
        let count = letters.count
        return "Тест" + String([
            letters[variant % count], letters[index % count], letters[(index / count) % count], letters[(index / count / count) % count],
        ])
    }

    /// A valid SNILS (checksum included) for `index`, formatted `123-456-789 01`; `seed` shifts the
    /// range so that separate files do not collide.
    public static func snils(_ index: Int, seed: Int = 0) -> String {
        let number = 200_000_000 + seed * 100_000 + index
        let digits = String(number).compactMap(\.wholeNumberValue)
        var sum = 0
        for (position, digit) in digits.enumerated() { sum += digit * (9 - position) }
        let check: Int
        if sum < 100 {
            check = sum
        } else if sum == 100 || sum == 101 {
            check = 0
        } else {
            let rest = sum % 101
            check = rest == 100 ? 0 : rest
        }
        let text = String(number)
        let characters = Array(text)
        let checkText = check < 10 ? "0\(check)" : String(check)
        return String(characters[0..<3]) + "-" + String(characters[3..<6]) + "-" + String(characters[6..<9]) + " " + checkText
    }

    /// One data row for `index` (`;`-delimited, dates `DD.MM.YYYY`).
    public static func row(_ index: Int, seed: Int = 0) -> String {
        let day = 1 + index % 28
        let month = 1 + (index / 28) % 12
        let year = 2010 + index % 3
        let birth = "\(day < 10 ? "0" : "")\(day).\(month < 10 ? "0" : "")\(month).\(year)"
        let phone = "+7999" + String(1_000_000 + index % 9_000_000)
        return [
            surname(index, variant: seed), firstNames[index % firstNames.count], "Тестович", birth, snils(index, seed: seed),
            String(6 + index % 6), surname(index, variant: seed + 1), "Елена", "", phone, "К-\(seed)-\(index)", "01.09.2025",
        ].joined(separator: ";")
    }

    /// A whole file of `rows` rows, UTF-8 with a byte-order mark, CRLF line ends (as Excel writes it).
    public static func file(rows: Int, seed: Int = 0) -> [UInt8] {
        var text = header + "\r\n"
        for index in 0..<rows { text += row(index, seed: seed) + "\r\n" }
        return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
    }
}
