/// Door requests of the KPI route: the vault's own aggregate figures, counts only.
///
/// The vault decides `aggregate` on the `kpi` resource for the verified ``DoorCaller`` (purpose
/// `kpi_aggregate`) and audits a refusal; nothing in the answer names a pupil.
public enum KPIDoorRequest: Codable, Sendable, Hashable {
    /// Pupils registered and consents collected per month since `since` (ISO 8601), for `scope`
    /// (`region`, `school`, `venue`) `id` in region `region`.
    case counts(scope: String, id: String, region: String, since: String)
}

/// One month of the vault's figures.
public struct KPIDoorMonth: Codable, Sendable, Hashable {
    /// `2026-09`.
    public var month: String
    public var pupilsRegistered: Int
    public var consentsCollected: Int

    public init(month: String, pupilsRegistered: Int, consentsCollected: Int) {
        self.month = month
        self.pupilsRegistered = pupilsRegistered
        self.consentsCollected = consentsCollected
    }
}

/// The vault's answer to a ``KPIDoorRequest``.
public enum KPIDoorResponse: Codable, Sendable, Hashable {
    /// The months with any figure, oldest first.
    case months([KPIDoorMonth])
}
