extension AuditCatalogue {
    /// Catalogue version 4: version 3 with the school door (issue #10): organisations, staff
    /// accounts managed over HTTP, pupils' own accounts, pupil registration, search, duplicates,
    /// transfers and bulk import. Every v3 record is also a valid v4 record.
    ///
    /// Each area adds its entries, and writers for v3 types it now also appends, in a file of its
    /// own (`AuditCatalogue+<Area>.swift`); this file only joins them.
    public static let v4 = AuditCatalogue(
        version: 4,
        entries: (v3.entries.map(withV4Writers) + v4Additions).sorted { $0.type < $1.type })

    /// The v4 entries that v3 lacks, each with its writers.
    static var v4Additions: [Entry] {
        organisationEntries + staffAccountEntries + pupilRecordEntries + schoolRecordEntries + assessmentEntries + modulesDoorEntries
            + trialsEntries + recommendationsEntries + incidentEntries + erasureOversightEntries + certificateInventoryEntries
    }

    /// Roles that, from v4, also write a v3 type, by type.
    static var v4ExtraWriters: [String: [String]] {
        [organisationExtraWriters, staffAccountExtraWriters, pupilRecordExtraWriters, schoolRecordExtraWriters, assessmentExtraWriters,
         modulesDoorExtraWriters, trialsExtraWriters, recommendationsExtraWriters]
            .reduce(into: [:]) { joined, area in joined.merge(area) { $0 + $1 } }
    }

    private static func withV4Writers(_ entry: Entry) -> Entry {
        guard let extra = v4ExtraWriters[entry.type] else { return entry }
        var updated = entry
        updated.writers = Array(Set((entry.writers ?? []) + extra)).sorted()
        return updated
    }
}
