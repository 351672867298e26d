import GnuTLS

extension CSRFTokens {
    /// The binding of a signed-in pupil's forms (their page session's id). Not the staff
    /// binding: a token of one kind of session never passes for the other.
    public static func binding(pupilSession id: String) -> String { "pupil-session:" + id }

    /// The binding of the forms a pupil fills in before a session exists (signing in, activating
    /// the account): the random value of the pre-session cookie the form's page set. Another site
    /// can neither read that cookie (`HttpOnly`) nor have it sent with its own post
    /// (`SameSite=Strict`), nor plant one (`__Host-`), so it cannot sign a pupil's browser in to an
    /// account of its choosing.
    public static func binding(preSession value: String) -> String { "pre-session:" + value }

    /// A new pre-session cookie value: 32 random bytes, base64url (43 characters).
    ///
    /// - Throws: ``PagesError/Code/crypto`` when no random value can be made.
    public static func newPreSession() throws(PagesError) -> String {
        do {
            return base64url(try SecureRandom.bytes(count: 32, level: .random))
        } catch {
            throw PagesError(.crypto, "pre-session value")
        }
    }

    /// Whether `value` has the form of a pre-session value (what ``newPreSession()`` makes).
    public static func isPreSession(_ value: String?) -> Bool {
        guard let value, value.utf8.count == 43 else { return false }
        return value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}
