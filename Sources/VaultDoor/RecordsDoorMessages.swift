/// Door requests about a school's records: consents and their scans, consent withdrawal,
/// transfers between schools, subject-access requests and bulk import.
public enum RecordsDoorRequest: Codable, Sendable, Hashable {
    /// The consents recorded for the pupil `token`.
    case consents(of: String)
}

/// The vault's answers to ``RecordsDoorRequest``s.
public enum RecordsDoorResponse: Codable, Sendable, Hashable {
    /// Consent references (`cns_…`).
    case consents([String])
}
