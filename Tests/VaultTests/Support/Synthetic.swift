import Foundation
@testable import Vault

/// Synthetic people only: invented names with a marker, example.invalid addresses, the +7 900
/// phone range, SNILS numbers built from a counter with a correct checksum.
enum Synthetic {
    /// A SNILS with a valid checksum from `seed` (above 001-001-998 so the checksum applies).
    static func snils(_ seed: Int) -> String {
        let number = 100_000_000 + seed % 800_000_000
        let digits = String(number).compactMap(\.wholeNumberValue)
        let check = Snils.checksum(digits)
        let text = digits.map(String.init).joined()
        let checkText = check < 10 ? "0\(check)" : "\(check)"
        let characters = Array(text)
        return "\(String(characters[0..<3]))-\(String(characters[3..<6]))-\(String(characters[6..<9])) \(checkText)"
    }

    /// A marker that makes every free-text value unique to one test subject.
    /// Letters, not digits, so that blind-index normalisation (which keeps letters only) tells
    /// two seeds apart.
    static func marker(_ seed: Int) -> String {
        let letters = Array("абвгдежзик")
        return "Синт" + String(String(seed).compactMap(\.wholeNumberValue).map { letters[$0] }) + "ф"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    static func pupilValues(_ seed: Int, birthDate: String = "2011-03-14") -> [FieldName: PersonalValue] {
        [
            .surname: PersonalValue("Примерова\(marker(seed))"),
            .firstName: PersonalValue("Тестина\(marker(seed))"),
            .patronymic: PersonalValue("Фиктивовна\(marker(seed))"),
            .birthDate: PersonalValue(birthDate),
            .sex: "female",
            .region: PersonalValue("Примерная область \(marker(seed))"),
            .municipality: PersonalValue("Условный округ \(marker(seed))"),
            .school: PersonalValue("Школа синтетическая № \(seed) \(marker(seed))"),
            .grade: "9",
            .schoolClass: PersonalValue("Б\(marker(seed))"),
            .disabilityStatus: PersonalValue("условная категория \(marker(seed))"),
            .snils: PersonalValue(snils(seed)),
            .email: PersonalValue("pupil.\(seed)@example.invalid"),
            .phone: PersonalValue("+7 900 \(pad(seed % 1000, 3))-\(pad(seed % 100, 2))-\(pad(seed / 100 % 100, 2))"),
        ]
    }

    static func guardianValues(_ seed: Int) -> [FieldName: PersonalValue] {
        [
            .name: PersonalValue("Примеров Опекун Условович \(marker(seed))"),
            .relation: "mother",
            .identityDocument: PersonalValue("паспорт 00 00 \(pad(seed, 6)) \(marker(seed))"),
            .phone: PersonalValue("+7 900 111-\(pad(seed % 100, 2))-\(pad(seed / 100 % 100, 2))"),
            .email: PersonalValue("guardian.\(seed)@example.invalid"),
        ]
    }

    static func staffValues(_ seed: Int) -> [FieldName: PersonalValue] {
        [
            .name: PersonalValue("Сотрудникова Условная \(marker(seed))"),
            .position: PersonalValue("педагог-навигатор \(marker(seed))"),
            .organisation: PersonalValue("Школа синтетическая \(marker(seed))"),
            .email: PersonalValue("staff.\(seed)@example.invalid"),
            .phone: PersonalValue("+7 900 222-\(pad(seed % 100, 2))-\(pad(seed / 100 % 100, 2))"),
        ]
    }

    static let school = "77-1234"
    static let otherSchool = "77-5678"
    static let region = "77"
}
