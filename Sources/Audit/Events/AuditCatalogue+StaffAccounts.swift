extension AuditCatalogue {
    /// v4 entries of the staff and pupil accounts managed over HTTP (activation codes, disable/enable, staff consent). Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    static let staffAccountEntries: [Entry] = []

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let staffAccountExtraWriters: [String: [String]] = [:]
}
