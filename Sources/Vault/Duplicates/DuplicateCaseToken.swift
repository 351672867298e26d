public import Tokens

/// The reference of a case of the duplicate register, `dup_…`: what the region's coordinator
/// resolves and what audit records name a case by. Minted by the vault from a cryptographic random
/// generator; it carries no meaning and no personal data.
public struct DuplicateCaseToken: OpaqueToken, Codable {
    public static let prefix = "dup"
    public let rawValue: String

    public init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }
}
