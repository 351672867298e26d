import Foundation
import Storage
import Testing
import ServeTestSupport

/// Issue 10: "After importing synthetic pupils, a `pg_dump` of the whole database contains none of
/// their surnames, SNILS or phone numbers in clear", on the database the matrix has just filled
/// through a real `bilet serve`: synthetic pupils registered over HTTP (one also by the other
/// school, a duplicate; again by the same school, refused; one refused for a bad SNILS checksum)
/// and imported as a CSV file (`POST /v1/pupils/import`), a phone corrected, searches by SNILS and
/// by name; then a plain `pg_dump`
/// of the whole database as the private cluster's owner, searched for every value in every form
/// it could be kept in. Control values the platform keeps in clear (an organisation's name, the
/// school's id, the pupils' tokens) must be found, so the search can fail.
extension SchoolDoorEndToEndTests {
    /// A synthetic pupil and the guardian who signed: invented surnames, a SNILS with a valid
    /// checksum that is nobody's, phone numbers in an unassigned range.
    struct SyntheticPupil {
        let surname: String
        let snils: String
        let phone: String
        let guardianSurname: String
        let guardianPhone: String

        /// The registration form (school 77-0001's or 77-0002's).
        var form: Call {
            Call(
                method: "POST", path: "/v1/pupils",
                json: #"""
                    {"pupil":{"surname":"\#(surname)","first_name":"Анна","birth_date":"2011-05-17","grade":"8","snils":"\#(snils)","phone":"\#(phone)"},
                     "guardian":{"surname":"\#(guardianSurname)","first_name":"Мария","relation":"mother","phone":"\#(guardianPhone)"},
                     "consent":{"number":"ДМП/2025","signed_on":"2025-09-01","pupil_signed":true}}
                    """#)
        }
    }

    /// Four pupils of school 77-0001; the first is registered again by school 77-0002 (a
    /// duplicate the coordinator sees) and again by 77-0001 (refused as a duplicate).
    static let dumpPupils = [
        SyntheticPupil(
            surname: "Выгрузкина", snils: "314-159-265 52", phone: "+7 999 314-15-92", guardianSurname: "Выгрузкин",
            guardianPhone: "+7 999 271-82-81"),
        SyntheticPupil(
            surname: "Снимкоёва", snils: "271-828-182 91", phone: "8 (999) 161-80-33", guardianSurname: "Снимкоёв",
            guardianPhone: "+7 999 141-42-13"),
        SyntheticPupil(
            surname: "Дамплейкина", snils: "16180339858", phone: "+79994471906", guardianSurname: "Дамплейкин-Тестов",
            guardianPhone: "8-999-173-20-50"),
        SyntheticPupil(
            surname: "Бэкапоцкая", snils: "141 421 356 10", phone: "+7 (999) 223-60-67", guardianSurname: "Бэкапоцкий",
            guardianPhone: "+7 999 264-91-11"),
    ]
    /// A pupil refused for her SNILS's checksum (the last two digits are wrong): her values must
    /// not be kept either.
    static let refusedPupil = SyntheticPupil(
        surname: "Отказникова", snils: "314-159-265 53", phone: "+7 999 300-00-17", guardianSurname: "Отказников",
        guardianPhone: "+7 999 300-00-18")
    /// Pupils school 77-0001 imports as a file (`POST /v1/pupils/import`, text/csv, `;`, dates
    /// `DD.MM.YYYY`).
    static let importedPupils = [
        SyntheticPupil(
            surname: "Импортозагрузова", snils: "577-215-664 19", phone: "", guardianSurname: "Импортозагрузов",
            guardianPhone: "+7 999 577-21-66"),
        SyntheticPupil(
            surname: "Пакетникович", snils: "662 607 015 86", phone: "", guardianSurname: "Пакетникович-Тестов",
            guardianPhone: "8 999 662-60-70"),
        SyntheticPupil(
            surname: "Файлоёмкая", snils: "29979245876", phone: "", guardianSurname: "Файлоёмкий",
            guardianPhone: "+79992997924"),
    ]
    /// The import file of ``importedPupils``, UTF-8 with a byte-order mark and CRLF, as a
    /// spreadsheet writes it.
    static var importFile: [UInt8] {
        let header = "surname;first_name;patronymic;birth_date;snils;grade;guardian_surname;guardian_first_name;guardian_patronymic;"
            + "guardian_phone;consent_number;consent_signed_on"
        let rows = importedPupils.map {
            [$0.surname, "Анна", "Тестовна", "17.05.2011", $0.snils, "8", $0.guardianSurname, "Мария", "", $0.guardianPhone, "ИМП/2025", "01.09.2025"]
                .joined(separator: ";")
        }
        return [0xEF, 0xBB, 0xBF] + Array(([header] + rows).map { $0 + "\r\n" }.joined().utf8)
    }

    /// The phone the second pupil's is corrected to.
    static let correctedPhone = "+7 999 577-21-56"

    /// Registers, corrects and searches the synthetic pupils over HTTP, dumps the whole database
    /// and checks that none of their values is in it (nor in the platform's and the database's logs).
    static func expectNoPupilDataInClear(_ door: Door) throws {
        var tokens: [String] = []
        for pupil in dumpPupils {
            let registered = try door.send(pupil.form, as: .school)
            try #require(registered.http == "201", "\(pupil.surname): \(registered)")
            tokens.append(try #require(object(registered.body)["token"] as? String, "\(registered)"))
        }
        let file = door.run.directory.appendingPathComponent("synthetic-import.csv")
        try Data(importFile).write(to: file)
        let imported = try door.run.curl(
            port: door.workstations, path: "/v1/pupils/import", client: Role.school.workstation,
            extra: ["-X", "POST", "-H", "Authorization: Bearer \(door.tokens[.school] ?? "")", "-H", "Content-Type: text/csv",
                    "--data-binary", "@" + file.path])
        #expect(imported.http == "200" && object(imported.body)["imported"] as? Int == importedPupils.count, "\(imported)")
        tokens += object(imported.body)["tokens"] as? [String] ?? []
        #expect(tokens.count == dumpPupils.count + importedPupils.count, "\(tokens)")
        let duplicate = try door.send(dumpPupils[0].form, as: .otherSchool)
        #expect(duplicate.http == "201", "another school's duplicate is answered as a success: \(duplicate)")
        let again = try door.send(dumpPupils[0].form, as: .school)
        #expect(again.http == "409" && object(again.body)["code"] as? String == "duplicate-pupil", "\(again)")
        let refused = try door.send(refusedPupil.form, as: .school)
        #expect(refused.http == "422" && object(refused.body)["code"] as? String == "invalid-value", "a bad SNILS checksum: \(refused)")
        let corrected = try door.send(
            Call(method: "PATCH", path: "/v1/pupils/\(tokens[1])", json: #"{"fields":{"phone":"\#(correctedPhone)"}}"#), as: .school)
        #expect(corrected.http == "200", "\(corrected)")
        for pupil in dumpPupils {
            let bySnils = try door.send(Call(method: "POST", path: "/v1/pupils/search", json: #"{"snils":"\#(pupil.snils)"}"#), as: .school)
            #expect(bySnils.http == "200" && bySnils.body.contains("sub_"), "\(bySnils)")
        }
        let byName = try door.send(
            Call(method: "POST", path: "/v1/pupils/search",
                 json: #"{"surname":"\#(dumpPupils[2].surname.lowercased())","first_name":"Анна","birth_date":"2011-05-17"}"#),
            as: .school)
        #expect(byName.http == "200" && byName.body.contains(tokens[2]), "\(byName)")
        let read = try door.send(Call(method: "GET", path: "/v1/pupils/\(tokens[1])?purpose=enrolment&fields=surname,phone"), as: .school)
        #expect(read.body.contains(dumpPupils[1].surname) && read.body.contains("+79995772156"), "the values are stored: \(read)")

        let dump = try wholeDatabaseDump(door.run)
        // Controls: what the platform keeps in clear is found, so a value kept in clear would be.
        // (School 77-0001's name is the one its profile update gave it.)
        let controls = ["Тестовая школа 77-0001", "Тестовая организация 77-0002", "77-0001", "vault.subjects"] + tokens
        let missing = controls.filter { !dump.contains($0) }
        #expect(missing.isEmpty, "the dump holds these in clear, so the search can find what is there: \(missing)")
        let everyone = dumpPupils + importedPupils + [refusedPupil]
        let values = everyone.flatMap { [$0.surname, $0.guardianSurname] }
        let numbers = everyone.flatMap { [$0.snils, $0.phone, $0.guardianPhone] }.filter { !$0.isEmpty } + [correctedPhone]
        let needles = values.flatMap(textForms) + numbers.flatMap(numberForms)
        #expect(needles.count > 100, "\(needles.count) forms")
        let found = needles.filter { dump.contains($0) }
        #expect(found.isEmpty, "pg_dump holds pupils' values in clear: \(found.map { excerpt(of: $0, in: dump) })")

        // Nor does either log: the platform's (serve.log) and the database server's.
        for log in [door.run.directory.path + "/serve.log", door.run.directory.path + "/pg/log/postgresql.log"] {
            let text = try String(contentsOfFile: log, encoding: .utf8)
            #expect(!text.isEmpty, "\(log) is written")
            let logged = needles.filter { text.contains($0) }
            #expect(logged.isEmpty, "\(log) holds pupils' values: \(logged.map { excerpt(of: $0, in: text) })")
        }
    }

    /// A plain `pg_dump` of bilet's whole database in the run's private cluster, as the cluster's
    /// owner (`postgres`, SCRAM, the password `bilet` keeps in `owner.password`).
    static func wholeDatabaseDump(_ run: ServeCommandTests.GatewayRun) throws -> String {
        let cluster = try LocalCluster(directory: run.directory.path + "/pg", authentication: .scram)
        let password = try DatabaseCredentials(directory: cluster.directory).password(forRole: "owner")
        let file = run.directory.appendingPathComponent("whole-database.sql")
        let dumped = try BiletProcess.run(
            ["--format=plain", "--file=\(file.path)", "--dbname=\(cluster.connectionString(database: "bilet"))"],
            environment: ["PGPASSWORD": password], executable: URL(fileURLWithPath: try PostgresBinaries.locate().directory + "/pg_dump"))
        try #require(dumped.status == 0, "pg_dump: \(dumped.output)")
        let dump = try String(contentsOf: file, encoding: .utf8)
        try #require(dump.utf8.count > 100_000, "the dump is the whole database (\(dump.utf8.count) bytes)")
        return dump
    }

    /// Every form a name could be kept in: as written, lower and upper case, decomposed (ё, й),
    /// its UTF-8 bytes as a bytea's hex and in base64, JSON's `\u` escapes.
    static func textForms(_ text: String) -> [String] {
        var forms: Set<String> = []
        for variant in [text, text.lowercased(), text.uppercased()] {
            let bytes = Array(variant.utf8)
            forms.formUnion([
                variant, variant.decomposedStringWithCanonicalMapping, hex(bytes), hex(bytes).uppercased(),
                Data(bytes).base64EncodedString().trimmingCharacters(in: ["="]),
                variant.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u%04x", $0.value) }.joined(),
                variant.unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u%04X", $0.value) }.joined(),
            ])
        }
        return forms.sorted()
    }

    /// Every form a SNILS or phone number could be kept in: as written, its digits, with and
    /// without the separators SNILS uses, a Russian number from +7, from 8 and without either, and
    /// each digit string's hex and base64.
    static func numberForms(_ text: String) -> [String] {
        let digits = String(text.filter { ("0"..."9").contains($0) })
        var forms: Set<String> = [text, digits]
        if digits.count == 11 {
            let characters = Array(digits).map(String.init)
            let first = characters[0..<3].joined(), second = characters[3..<6].joined(), third = characters[6..<9].joined()
            let check = characters[9...].joined()
            let nine = first + second + third
            let separated = first + "-" + second + "-" + third
            forms.formUnion([
                separated + " " + check, separated + "-" + check, separated + check, nine + " " + check,
                [first, second, third, check].joined(separator: " "),
            ])
            if digits.hasPrefix("7") || digits.hasPrefix("8") {
                let national = String(digits.dropFirst())
                forms.formUnion([national, "+7" + national, "7" + national, "8" + national])
            }
        }
        for form in Array(forms) where form.allSatisfy({ ("0"..."9").contains($0) }) {
            forms.formUnion([hex(Array(form.utf8)), Data(form.utf8).base64EncodedString().trimmingCharacters(in: ["="])])
        }
        return forms.sorted()
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// The line of `text` where `needle` is, shortened (synthetic values only), for the failure message.
    static func excerpt(of needle: String, in text: String) -> String {
        guard let range = text.range(of: needle) else { return needle }
        let start = text[..<range.lowerBound].lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
        let end = text[range.upperBound...].firstIndex(of: "\n") ?? text.endIndex
        return "\(needle) in: \(text[start..<end].prefix(300))"
    }
}
