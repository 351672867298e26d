extension AuditCatalogue {
    /// v4 entries of the consent scans and withdrawals over HTTP, transfers between schools, subject-access requests and bulk import. Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    static let schoolRecordEntries: [Entry] = []

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let schoolRecordExtraWriters: [String: [String]] = [:]
}
