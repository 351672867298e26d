extension AuditCatalogue {
    /// v4 entries of the pupil registration, card reads and corrections, search and the duplicate register. Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    static let pupilRecordEntries: [Entry] = []

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let pupilRecordExtraWriters: [String: [String]] = [:]
}
