/// Who an incident affected, computed from the audit log by its scope (`incidents.affected`): the
/// data subjects by vault token only (`sub_…`, never a name) and the organisations through whose
/// accounts the data was exposed.
public struct IncidentImpact: Sendable, Hashable {
    /// Distinct vault tokens, sorted.
    public let subjects: [String]
    /// Distinct organisation URIs, sorted.
    public let organisations: [String]

    public init(subjects: [String], organisations: [String]) {
        self.subjects = subjects
        self.organisations = organisations
    }
}
