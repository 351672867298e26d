/// Why the pages could not do what was asked. No case carries personal data.
public struct PagesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable, Hashable {
        /// The templates or the stylesheet are missing from the installation's resources.
        case resourcesMissing = "resources-missing"
        /// A template does not parse (a defect of the build, found at start-up).
        case templateInvalid = "template-invalid"
        /// A template asked for does not exist.
        case templateUnknown = "template-unknown"
        /// The CSRF key or a token could not be made.
        case crypto
        /// The PDF font is missing or is not a TrueType font the writer can embed.
        case fontInvalid = "font-invalid"
    }

    /// The stable code.
    public let code: Code
    /// What was being done (a template or resource name, never a value).
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "PagesError(\(code.rawValue): \(detail))" }
}
