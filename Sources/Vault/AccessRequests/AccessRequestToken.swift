public import Tokens

/// The reference of a registered subject-access request, `sar_…`: what a `parent_request` read
/// cites and what audit records name a request by. Minted by the vault from a cryptographic random
/// generator; it carries no meaning and no personal data.
public struct AccessRequestToken: OpaqueToken, Codable {
    public static let prefix = "sar"
    public let rawValue: String

    public init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }
}
