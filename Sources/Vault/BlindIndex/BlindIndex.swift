import Foundation
import GnuTLS

/// Keyed blind indexes for exact lookups and duplicate detection, without plaintext search and
/// without deterministic encryption of the values themselves.
///
/// An index is HMAC-SHA-256, under the blind-index key (derived from the master key, used for
/// nothing else), of a kind label and a normalised value. Without the key the digests reveal
/// nothing and cannot be tested against guesses.
enum BlindIndex {
    enum Kind: String, Sendable, CaseIterable {
        /// The SNILS digits.
        case snils
        /// Normalised surname, first name and birth date.
        case nameBirthDate = "name_birth_date"
    }

    /// The digest of `normalised` for `kind`.
    static func digest(_ kind: Kind, _ normalised: String, key: SymmetricKey) throws(VaultError) -> [UInt8] {
        let message = Array(kind.rawValue.utf8) + [0] + Array(normalised.utf8)
        do {
            return try HMAC.authenticationCode(for: message, using: key, algorithm: .sha256)
        } catch {
            throw VaultError(.crypto, reason: "blind index failed (\(error.code.rawValue))")
        }
    }

    /// The transaction-scoped advisory lock key of `digest`: its first eight bytes, big-endian.
    /// Every registration, single (``Vault/duplicateMatches(_:excluding:on:)``) or batch
    /// (``BatchSQL/lockDigests(_:on:)``), locks a digest by this key, so two registrations of one
    /// child wait for each other.
    static func lockKey(_ digest: [UInt8]) -> Int64 {
        digest.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }

    /// The SNILS as 11 digits, from a normalised SNILS value.
    static func normaliseSnils(_ value: PersonalValue) -> String {
        value.exposedText.filter(\.isASCIIDigit)
    }

    /// `surname|first name|YYYY-MM-DD`, names case-folded, `ё` read as `е`, everything but letters
    /// dropped, so that "Петрова-Водкина Алёна" and "петрова водкина алена" match.
    static func normaliseNameAndBirthDate(surname: PersonalValue, firstName: PersonalValue, birthDate: PersonalValue) -> String {
        func fold(_ text: String) -> String {
            let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
                .replacingOccurrences(of: "ё", with: "е")
            return String(folded.unicodeScalars.filter { $0.properties.isAlphabetic }.map(Character.init))
        }
        return fold(surname.exposedText) + "|" + fold(firstName.exposedText) + "|" + birthDate.exposedText
    }

    /// The indexes a subject's values give (pupils only).
    static func indexes(for kind: SubjectKind, values: [FieldName: PersonalValue], key: SymmetricKey) throws(VaultError) -> [(Kind, [UInt8])] {
        guard kind == .pupil else { return [] }
        var result: [(Kind, [UInt8])] = []
        if let snils = values[.snils] {
            result.append((.snils, try digest(.snils, normaliseSnils(snils), key: key)))
        }
        if let surname = values[.surname], let firstName = values[.firstName], let birthDate = values[.birthDate] {
            result.append(
                (.nameBirthDate,
                 try digest(.nameBirthDate, normaliseNameAndBirthDate(surname: surname, firstName: firstName, birthDate: birthDate), key: key)))
        }
        return result
    }
}
