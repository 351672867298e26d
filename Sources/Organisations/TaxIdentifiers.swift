/// The Russian tax identifiers an organisation registers with, checked with their check digits:
/// ИНН (10 digits for a legal entity, 12 for an individual entrepreneur) and ОГРН (13 digits, or
/// 15 for an ОГРНИП).
public enum TaxIdentifiers {
    /// Whether `text` is an ИНН whose check digit(s) verify.
    public static func isValidINN(_ text: String) -> Bool {
        guard let digits = digits(text) else { return false }
        func check(_ weights: [Int]) -> Int { zip(weights, digits).reduce(0) { $0 + $1.0 * $1.1 } % 11 % 10 }
        switch digits.count {
        case 10:
            return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[9]
        case 12:
            return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == digits[11]
        default:
            return false
        }
    }

    /// Whether `text` is an ОГРН (13 digits) or ОГРНИП (15 digits) whose check digit verifies.
    public static func isValidOGRN(_ text: String) -> Bool {
        guard let digits = digits(text), digits.count == 13 || digits.count == 15 else { return false }
        let modulus = digits.count == 13 ? 11 : 13
        // The leading digits as a number, reduced as it is read, so no overflow.
        let remainder = digits.dropLast().reduce(0) { ($0 * 10 + $1) % modulus }
        return remainder % 10 == digits[digits.count - 1]
    }

    private static func digits(_ text: String) -> [Int]? {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 15, bytes.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return bytes.map { Int($0 - UInt8(ascii: "0")) }
    }
}
