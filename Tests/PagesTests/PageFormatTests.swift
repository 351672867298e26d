import Foundation
import Pages
import Testing

/// Russian formatting, the form reader, the CSRF tokens and the registration form's check (the
/// import's rules, messages in Russian next to their fields). Synthetic values only.
@Suite struct PageFormatTests {
    @Test func datesAndNamesAsRussiansWriteThem() {
        #expect(RussianFormat.date(iso: "2011-04-02") == "02.04.2011")
        #expect(RussianFormat.date(iso: "not a date") == "not a date")
        #expect(RussianFormat.fullName(surname: "Тестова", firstName: "Анна", patronymic: "Петровна") == "Тестова Анна Петровна")
        #expect(RussianFormat.fullName(surname: " Тестова ", firstName: "Анна") == "Тестова Анна")
        #expect(RussianFormat.dateTime(Date(timeIntervalSince1970: 1_796_644_800)) == "07.12.2026 12:00")
        #expect(RussianFormat.role("school") == "сотрудник школы")
    }

    @Test func formBodiesAreDecoded() {
        let form = FormValues(body: "surname=%D0%A2%D0%B5%D1%81%D1%82%D0%BE%D0%B2%D0%B0&class=%D0%91&note=a+b&note=second&empty=")
        #expect(form["surname"] == "Тестова")
        #expect(form["class"] == "Б")
        #expect(form["note"] == "a b")
        #expect(form["empty"] == "")
        #expect(form["missing"] == nil)
    }

    @Test func csrfTokensAreBoundAndKeyed() throws {
        let tokens = try CSRFTokens()
        let binding = CSRFTokens.binding(session: "ses_1")
        let token = try tokens.token(for: binding)
        #expect(token.count == 43)
        #expect(tokens.isValid(token, for: binding))
        #expect(!tokens.isValid(token, for: CSRFTokens.binding(session: "ses_2")))
        #expect(!tokens.isValid(nil, for: binding))
        #expect(!tokens.isValid("", for: binding))
        #expect(!tokens.isValid(String(token.dropLast()), for: binding))
        #expect(!tokens.isValid(try CSRFTokens().token(for: binding), for: binding), "another process's key")
    }

    static let valid = [
        "surname": "Тестова", "first_name": "Анна", "birth_date": "2011-04-02", "grade": "9", "class": "Б", "snils": "112-233-445 95",
        "guardian_surname": "Тестова", "guardian_first_name": "Мария", "guardian_relation": "mother", "guardian_phone": "+7 900 000-00-01",
        "consent_number": "17/2025", "consent_signed_on": "2025-09-01",
    ]

    static func body(_ values: [String: String]) -> FormValues {
        FormValues(
            body: values.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
    }

    @Test func aValidFormPasses() {
        guard case .valid(let pupil, let signed) = PupilRegistrationPage.check(Self.body(Self.valid), today: "2026-12-07") else {
            Issue.record("refused")
            return
        }
        #expect(pupil.surname == "Тестова")
        #expect(pupil.birthDate == "2011-04-02")
        #expect(!signed)
    }

    @Test(
        "each refused value gets its message next to its field",
        arguments: [
            ("snils", "112-233-445 96", "СНИЛС должен состоять из 11 цифр с верной контрольной суммой."),
            ("birth_date", "31.02.2011", "Укажите существующую дату не позже сегодняшнего дня в виде ДД.ММ.ГГГГ."),
            ("grade", "12", "Укажите класс от 1 до 11."),
            ("surname", "", "Заполните это поле."),
            ("guardian_phone", "12", "Укажите номер телефона: от 10 до 15 цифр."),
            ("first_name", "Анна7", "Допустимы только буквы, пробелы, дефисы и апострофы."),
        ])
    func refusals(field: String, value: String, message: String) {
        var values = Self.valid
        values[field] = value
        guard case .invalid(let form) = PupilRegistrationPage.check(Self.body(values), today: "2026-12-07") else {
            Issue.record("accepted")
            return
        }
        #expect(form.error(field) == message)
        #expect(form.sections.flatMap(\.fields).filter { $0.error != nil }.map(\.name) == [field])
        #expect(form.sections.flatMap(\.fields).first { $0.name == field }?.value == value, "the value typed is shown again")
    }

    @Test func multipartFormsAreRead() throws {
        let body = Array(
            "--XyZ\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\nTOKEN\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\nContent-Type: text/csv\r\n\r\nsurname;x\r\n1;2\r\n--XyZ--\r\n".utf8)
        let boundary = try #require(MultipartForm.boundary(contentType: "multipart/form-data; boundary=XyZ"))
        let form = try #require(MultipartForm(body: body, boundary: boundary))
        #expect(form["_csrf"] == "TOKEN")
        #expect(form.part("file")?.filename == "a.csv")
        #expect(form.part("file")?.content == Array("surname;x\r\n1;2".utf8))
        #expect(MultipartForm.boundary(contentType: "application/x-www-form-urlencoded") == nil)
        #expect(MultipartForm(body: Array("no parts at all".utf8), boundary: "XyZ") == nil)
        #expect(MultipartForm(body: Array("--XyZ\r\nno blank line\r\n--XyZ--".utf8), boundary: "XyZ") == nil)
        // a preamble before the first delimiter (no browser sends one) is not a form
        #expect(MultipartForm(body: Array("preamble\r\n".utf8) + body, boundary: boundary) == nil)
        // the boundary inside a part's content, not after a CRLF, does not end the part
        let embedded = Array(
            "--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\na--XyZb\r\n--XyZ--\r\n".utf8)
        #expect(MultipartForm(body: embedded, boundary: boundary)?["f"] == "a--XyZb")
        // more parts than a page form has is not read
        let part = "--XyZ\r\nContent-Disposition: form-data; name=\"p\"\r\n\r\nv\r\n"
        #expect(MultipartForm(body: Array((String(repeating: part, count: 16) + "--XyZ--\r\n").utf8), boundary: boundary)?.parts.count == 16)
        #expect(MultipartForm(body: Array((String(repeating: part, count: 17) + "--XyZ--\r\n").utf8), boundary: boundary) == nil)
        // a file of millions of line ends (each a CR, the delimiter's first byte) and a near-delimiter
        // just before the real one are read whole
        let lineEnds = String(repeating: "\r\n", count: 2_200_000) + "\r\n--XyY"
        let big = Array("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.csv\"\r\n\r\n\(lineEnds)\r\n--XyZ--\r\n".utf8)
        #expect(MultipartForm(body: big, boundary: boundary)?.part("file")?.content.count == lineEnds.utf8.count)
        #expect(ScanType.named(by: Array("%PDF-1.4".utf8)) == "application/pdf")
        #expect(ScanType.named(by: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == "image/png")
        #expect(ScanType.named(by: Array("GIF89a".utf8)) == nil)
    }
}
