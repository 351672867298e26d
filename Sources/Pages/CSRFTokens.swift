import Foundation
import GnuTLS

/// The CSRF tokens of the pages' forms: HMAC-SHA256 under a key of this process of what the form
/// is bound to (the staff session's id, or before sign-in the workstation certificate), base64url.
///
/// A page from another site can make a workstation's browser post to the pages with the session
/// cookie and the client certificate, but it cannot read a page, so it cannot know the token. The
/// key is random per process: a gateway restart (or a request reaching another gateway) makes an
/// open form's token fail, and the form is simply loaded again.
public struct CSRFTokens: Sendable {
    /// The name of the hidden field every form carries.
    public static let fieldName = "_csrf"

    private let key: SymmetricKey

    /// Tokens under a new random key.
    ///
    /// - Throws: ``PagesError/Code/crypto`` when no random key can be made.
    public init() throws(PagesError) {
        do {
            self.key = try SymmetricKey.random(byteCount: 32)
        } catch {
            throw PagesError(.crypto, "csrf key")
        }
    }

    /// The binding of a signed-in session's forms.
    public static func binding(session id: String) -> String { "session:" + id }

    /// The binding of the sign-in form on a connection with the certificate `serial` of `principal`.
    public static func binding(certificateSerial serial: String, principal: String) -> String {
        "sign-in:" + serial + "|" + principal
    }

    /// The token of `binding`.
    ///
    /// - Throws: ``PagesError/Code/crypto``.
    public func token(for binding: String) throws(PagesError) -> String {
        do {
            return Self.base64url(try HMAC.authenticationCode(for: Array(binding.utf8), using: key))
        } catch {
            throw PagesError(.crypto, "csrf token")
        }
    }

    /// Whether `presented` is the token of `binding`, compared in constant time; a missing,
    /// malformed or wrong token is `false`.
    public func isValid(_ presented: String?, for binding: String) -> Bool {
        guard let presented, let code = Self.decode(presented), code.count == HashAlgorithm.sha256.byteCount else { return false }
        return (try? HMAC.isValidAuthenticationCode(code, for: Array(binding.utf8), using: key)) ?? false
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard text.count <= 64, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
