public import Foundation
public import Identity

/// A registered organisation: its kind and id (its `bilet://` URI), the region it belongs to, its
/// profile and its data-processing agreement.
public struct OrganisationRecord: Sendable, Hashable {
    public let organisation: Organisation
    /// The id of the region it belongs to (a region's own id; nil for the operator).
    public let region: String?
    public let name: String
    public let address: String
    /// Free profile text the organisation fills in itself.
    public let profile: String
    /// ИНН (check digits verified).
    public let inn: String
    /// ОГРН (check digit verified).
    public let ogrn: String
    public let agreement: DataProcessingAgreement
    public let createdAt: Date
    public let updatedAt: Date

    /// `bilet://school/77-1234`.
    public var uri: String { Self.uri(organisation) }

    /// The `bilet://<kind>/<id>` URI of `organisation`.
    public static func uri(_ organisation: Organisation) -> String {
        "bilet://\(organisation.kind.rawValue)/\(organisation.id.value)"
    }
}
