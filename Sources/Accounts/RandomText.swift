import Foundation
import GnuTLS

/// Random identifiers and tokens from the GnuTLS generator, base64url without padding.
enum RandomText {
    /// `prefix_` and 22 base64url characters (128 random bits): account and session ids, which
    /// are also audit tokens.
    static func identifier(prefix: String) throws(AccountsError) -> String {
        "\(prefix)_\(base64URL(try bytes(16)))"
    }

    static func bytes(_ count: Int) throws(AccountsError) -> [UInt8] {
        do {
            return try SecureRandom.bytes(count: count, level: .key)
        } catch {
            throw AccountsError(.crypto, "random generation failed")
        }
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
