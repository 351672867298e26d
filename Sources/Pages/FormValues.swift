import Foundation

/// The fields of a submitted form (`application/x-www-form-urlencoded`): name → value, the first
/// value of a repeated name, names and values percent-decoded, `+` a space.
public struct FormValues: Sendable, Hashable {
    /// The values by field name.
    public let values: [String: String]

    /// The fields of `body`. Malformed percent escapes are kept as written.
    public init(body: String) {
        var values: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            guard !name.isEmpty, values[name] == nil else { continue }
            values[name] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
        self.values = values
    }

    /// The fields `values` as given (a form prefilled from stored data, never from a request).
    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The value of `name`, or `nil`.
    public subscript(_ name: String) -> String? { values[name] }

    static func decode(_ text: Substring) -> String {
        let plus = text.replacingOccurrences(of: "+", with: " ")
        return plus.removingPercentEncoding ?? plus
    }
}
