/// Door requests about pupils: registration with guardian and paper consent, card reads and
/// corrections, search, and the duplicate register the region's coordinator resolves.
public enum PupilDoorRequest: Codable, Sendable, Hashable {
    /// Reads `fields` of the pupil `token` for `purpose` (`request`: the open subject-access
    /// request a `parent_request` read answers).
    case read(token: String, fields: [String], purpose: String, request: String?)
}

/// The vault's answers to ``PupilDoorRequest``s.
public enum PupilDoorResponse: Codable, Sendable, Hashable {
    /// Field values as released (plain, masked), by field name; withheld fields are absent.
    case card(fields: [String: String])
}
