extension AuditCatalogue {
    /// v4 entries of the organisation registry (organisations, profiles, data-processing agreements). Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    static let organisationEntries: [Entry] = []

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let organisationExtraWriters: [String: [String]] = [:]
}
