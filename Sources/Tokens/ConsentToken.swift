/// A consent record's token, `cns_…`: what audit records and responses name a consent by.
public struct ConsentToken: OpaqueToken, Codable {
    public static let prefix = "cns"
    public let rawValue: String

    public init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }
}
