import Foundation
public import Identity

/// What registering an organisation asks for. ``validated()`` checks every field.
public struct OrganisationRegistration: Sendable, Hashable {
    public var organisation: Organisation
    /// The region it belongs to: for a region, its own id.
    public var region: String
    public var name: String
    public var address: String
    public var inn: String
    public var ogrn: String
    public var agreement: DataProcessingAgreement

    public init(
        organisation: Organisation, region: String, name: String, address: String, inn: String, ogrn: String,
        agreement: DataProcessingAgreement
    ) {
        self.organisation = organisation
        self.region = region
        self.name = name
        self.address = address
        self.inn = inn
        self.ogrn = ogrn
        self.agreement = agreement
    }

    /// Checks lengths, the region id, the ИНН and ОГРН check digits and the agreement's date.
    ///
    /// - Throws: ``OrganisationsError/Code/invalidArgument`` (naming the field),
    ///   ``OrganisationsError/Code/invalidINN``, ``OrganisationsError/Code/invalidOGRN``.
    public func validated() throws(OrganisationsError) {
        guard organisation.kind != .operator else {
            throw OrganisationsError(.invalidArgument, "the operator is not registered over the registry")
        }
        guard OrganisationID(region) != nil else { throw OrganisationsError(.invalidArgument, "region is not a region id") }
        if organisation.kind == .region, region != organisation.id.value {
            throw OrganisationsError(.invalidArgument, "a region's region is its own id")
        }
        try Self.text(name, "name", 500)
        try Self.text(address, "address", 1000)
        try Self.text(agreement.number, "agreement.number", 64)
        try Self.text(agreement.signatory, "agreement.signatory", 300)
        guard agreement.signingDay != nil else { throw OrganisationsError(.invalidArgument, "agreement.signed_on is not a YYYY-MM-DD day") }
        guard TaxIdentifiers.isValidINN(inn) else { throw OrganisationsError(.invalidINN, "the ИНН does not verify") }
        guard TaxIdentifiers.isValidOGRN(ogrn) else { throw OrganisationsError(.invalidOGRN, "the ОГРН does not verify") }
    }

    static func text(_ value: String, _ field: String, _ maximum: Int) throws(OrganisationsError) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, value.count <= maximum, !value.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" }) else {
            throw OrganisationsError(.invalidArgument, "\(field) must have 1 to \(maximum) characters")
        }
    }
}
