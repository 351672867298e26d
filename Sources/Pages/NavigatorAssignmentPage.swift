/// The navigator's test page (`/app/navigator/tests`): the navigator's own pupils and the
/// published tests, to assign one to a pupil. Names come from the vault (released per pupil for
/// `assessment`, the purpose of assigning a test, audited); a withheld name shows the pupil's
/// token only.
public enum NavigatorAssignmentPage {
    /// One of the navigator's pupils, as the table and the choice show it.
    public struct Pupil: Sendable, Hashable {
        /// The vault token, the form's value.
        public let token: String
        /// `Фамилия Имя Отчество`, or «имя скрыто» when the vault withheld it.
        public let name: String
        public let withheld: Bool
        /// Whether the choice has it selected (after a refused post).
        public let selected: Bool

        public init(
            token: String, surname: String?, firstName: String?, patronymic: String?, selected: Bool = false
        ) {
            self.token = token
            if let surname, let firstName {
                self.name = RussianFormat.fullName(surname: surname, firstName: firstName, patronymic: patronymic)
                self.withheld = false
            } else {
                self.name = "имя скрыто"
                self.withheld = true
            }
            self.selected = selected
        }
    }

    /// A published test version, as the choice lists it.
    public struct Test: Sendable, Hashable {
        /// The choice's value: ``value(code:version:)``.
        public let value: String
        public let title: String
        public let code: String
        public let version: Int
        public let selected: Bool

        public init(code: String, version: Int, title: String, selected: Bool = false) {
            self.value = NavigatorAssignmentPage.value(code: code, version: version)
            self.title = title
            self.code = code
            self.version = version
            self.selected = selected
        }
    }

    /// A test version as one form value: `code@version` (as the policy names a version).
    public static func value(code: String, version: Int) -> String { "\(code)@\(version)" }

    /// The code and version of a form value ``value(code:version:)`` made; `nil` for anything else.
    public static func test(from value: String) -> (code: String, version: Int)? {
        guard let at = value.lastIndex(of: "@") else { return nil }
        let code = String(value[..<at])
        guard !code.isEmpty, code.count <= 100, let version = Int(value[value.index(after: at)...]), (1...1_000_000).contains(version) else {
            return nil
        }
        return (code, version)
    }

    /// The message next to the pupil's choice when none was chosen.
    public static let choosePupil = "Выберите ученика."
    /// The message next to the test's choice when none (or an unreadable one) was chosen.
    public static let chooseTest = "Выберите опубликованный тест."
}
