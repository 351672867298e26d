/// The rows of the regional coordinator's list of schools and venues.
public struct OrganisationRow: Sendable, Hashable {
    /// «школа» or «площадка».
    public let kind: String
    /// The registry id (`77-0001`).
    public let id: String
    /// `school/77-0001`: how the form of a new account names it.
    public let reference: String
    public let name: String
    public let address: String
    public let inn: String
    /// `ДД.ММ.ГГГГ` of the data-processing agreement.
    public let agreement: String

    public init(kind: String, id: String, name: String, address: String, inn: String, agreementNumber: String, signedOn: String) {
        self.kind = kind == "school" ? "школа" : kind == "venue" ? "площадка" : kind
        self.id = id
        self.reference = "\(kind)/\(id)"
        self.name = name
        self.address = address
        self.inn = inn
        self.agreement = "№ \(agreementNumber) от \(RussianFormat.date(iso: signedOn))"
    }
}
