public import Foundation
public import Tokens

/// The reference of a transfer of a pupil between schools, `trf_…`: what the receiving school
/// accepts and audit records name a transfer by. Minted by the vault from a cryptographic random
/// generator; it carries no meaning and no personal data.
public struct TransferToken: OpaqueToken, Codable {
    public static let prefix = "trf"
    public let rawValue: String

    public init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }
}

/// A transfer waiting for the receiving school, as it lists them (no personal data).
public struct PendingTransfer: Sendable, Hashable {
    public let reference: TransferToken
    /// The pupil's token (unchanged by the transfer).
    public let pupil: SubjectToken
    /// The sending school's id (`77-1234`).
    public let fromSchool: String
    public let requestedAt: Date
}
