/// Where the handling of an incident stands. Raw values are stored and never change.
public enum IncidentStatus: String, Sendable, Hashable, CaseIterable {
    /// Recorded; the investigation has not started.
    case open
    /// Being investigated.
    case investigating
    /// The investigation is finished.
    case closed
}
