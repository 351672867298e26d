import Foundation

/// A synthetic pupil of the seed: unmistakably invented names (surnames like «Тестов»,
/// «Примерова»), a birth date, a SNILS with a valid checksum from a range the seed owns, and the
/// guardian who "signed" the paper consent.
public struct SyntheticPupil: Sendable, Hashable, Codable {
    /// The surname.
    public let surname: String
    /// The given name.
    public let firstName: String
    /// The patronymic.
    public let patronymic: String
    /// The birth date, `YYYY-MM-DD`.
    public let birthDate: String
    /// The SNILS, `123-456-789 01`.
    public let snils: String
    /// The grade, 6 to 11.
    public let grade: Int
    /// The guardian's given name (the guardian's surname is the pupil's, in the masculine or
    /// feminine form).
    public let guardianFirstName: String
    /// The guardian's surname.
    public let guardianSurname: String
    /// The guardian's phone, in the unassigned +7 999 range.
    public let guardianPhone: String
    /// The purposes the paper consent covers besides enrolment (empty: enrolment only, so every
    /// other purpose "lacks consent").
    public let consentPurposes: [String]

    /// The birth date as ДД.ММ.ГГГГ.
    public var birthDateDotted: String {
        let parts = birthDate.split(separator: "-")
        return "\(parts[2]).\(parts[1]).\(parts[0])"
    }

    /// Whether the consent covers everything the seed does with a pupil.
    public var fullyConsented: Bool { !consentPurposes.isEmpty }
}

/// Makes the synthetic pupils and their import rows.
public enum SyntheticPeople {
    /// Surname stems: each is a word for "test", "sample", "example", never a real family's.
    static let surnameStems = [
        "Тестов", "Примеров", "Образцов", "Макетов", "Шаблонов", "Выдумкин", "Синтетиков", "Фиктивнов", "Условнов", "Демонстров",
        "Пробников", "Черновиков", "Эскизов", "Заглушкин", "Модельков", "Вымыслов",
    ]
    static let givenNames: [(name: String, female: Bool)] = [
        ("Тестислав", false), ("Примерий", false), ("Эталон", false), ("Макетон", false), ("Шаблоний", false), ("Вымыслав", false),
        ("Тестислава", true), ("Примерина", true), ("Эталина", true), ("Макетина", true), ("Шаблония", true), ("Вымыслава", true),
    ]
    static let fatherNames = ["Тестислав", "Примерий", "Эталон", "Макетон", "Шаблоний", "Вымыслав"]
    static let guardianNames: [(name: String, female: Bool)] = [("Заглушка", true), ("Пробан", false), ("Черновика", true), ("Эскизий", false)]

    /// The purposes a full paper consent covers besides enrolment.
    public static let fullPurposes = ["self_service", "assessment", "recommendation", "event_attendance"]

    /// A patronymic from a father's name of the list (Тестислав → Тестиславович, Тестиславовна;
    /// Примерий → Примериевич).
    static func patronymic(_ father: String, female: Bool) -> String {
        if father.hasSuffix("ий") { return String(father.dropLast(2)) + (female ? "иевна" : "иевич") }
        return father + (female ? "овна" : "ович")
    }

    /// A valid SNILS for `number` (nine digits, above 001-001-998, where the checksum rules apply).
    public static func snils(_ number: Int) -> String {
        let digits = String(format: "%09d", number).compactMap(\.wholeNumberValue)
        var sum = 0
        for (position, digit) in digits.enumerated() { sum += digit * (9 - position) }
        var check = sum
        if sum >= 100 { check = sum % 101 == 100 ? 0 : sum % 101 }
        if sum == 100 || sum == 101 { check = 0 }
        let text = String(format: "%09d", number)
        let characters = Array(text)
        return String(characters[0..<3]) + "-" + String(characters[3..<6]) + "-" + String(characters[6..<9]) + " " + String(format: "%02d", check)
    }

    /// `count` pupils, distinct in SNILS and in name and birth date, made from `random`.
    /// `snilsBase` puts the numbers in a range of their own (the seed's, per batch); `withoutConsent`
    /// percent of them have a consent for enrolment only.
    public static func make(count: Int, snilsBase: Int, withoutConsent: Int, random: inout SeedRandom) -> [SyntheticPupil] {
        var pupils: [SyntheticPupil] = []
        var seen: Set<String> = []
        var index = 0
        while pupils.count < count {
            let stem = random.pick(surnameStems)
            let given = random.pick(givenNames)
            let father = random.pick(fatherNames)
            let surname = given.female ? stem + "а" : stem
            let year = random.int(2009...2014)
            let month = random.int(1...12)
            let day = random.int(1...28)
            let birth = "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
            let key = "\(surname)|\(given.name)|\(father)|\(birth)"
            guard seen.insert(key).inserted else { continue }
            let guardian = random.pick(guardianNames)
            let phone = "+7 999 \(random.int(100...999))-\(random.int(10...99))-\(random.int(10...99))"
            pupils.append(
                SyntheticPupil(
                    surname: surname, firstName: given.name, patronymic: patronymic(father, female: given.female), birthDate: birth,
                    snils: snils(snilsBase + index), grade: min(11, max(6, 2026 - year - 6)), guardianFirstName: guardian.name,
                    guardianSurname: guardian.female ? stem + "а" : stem, guardianPhone: phone,
                    consentPurposes: random.chance(withoutConsent) ? [] : fullPurposes))
            index += 1
        }
        return pupils
    }

    /// The import file (`POST /v1/pupils/import`) of `pupils`: `;`-separated, dates ДД.ММ.ГГГГ,
    /// each paper consent numbered `СИД-<batch>-<n>` and signed on 1 September 2026.
    public static func importFile(_ pupils: [SyntheticPupil], consentPrefix: String) -> [UInt8] {
        var text = "surname;first_name;patronymic;birth_date;snils;grade;class;guardian_surname;guardian_first_name;guardian_patronymic;"
            + "guardian_relation;guardian_phone;consent_number;consent_signed_on;consent_purposes\r\n"
        for (index, pupil) in pupils.enumerated() {
            let relation = guardianNames.first { $0.name == pupil.guardianFirstName }?.female == true ? "mother" : "father"
            text += [
                pupil.surname, pupil.firstName, pupil.patronymic, pupil.birthDateDotted, pupil.snils, String(pupil.grade), "А",
                pupil.guardianSurname, pupil.guardianFirstName, "", relation, pupil.guardianPhone, "\(consentPrefix)-\(index + 1)",
                "01.09.2026", pupil.consentPurposes.joined(separator: ","),
            ].joined(separator: ";") + "\r\n"
        }
        return Array(text.utf8)
    }
}
