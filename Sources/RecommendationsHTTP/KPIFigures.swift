/// One month of KPI figures for a region, school or venue, as they leave the server: every
/// figure a ``SuppressedCount``.
public struct KPIMonth: Sendable, Hashable, Encodable {
    /// `2026-09`.
    public var month: String
    public var pupilsRegistered: SuppressedCount
    public var consentsCollected: SuppressedCount
    public var testsCompleted: SuppressedCount
    public var trialsAttended: SuppressedCount
    public var recommendationsDelivered: SuppressedCount

    /// Suppresses the raw counts of a month.
    public init(month: String, raw: RawKPICounts) {
        self.month = month
        pupilsRegistered = SuppressedCount(raw.pupilsRegistered)
        consentsCollected = SuppressedCount(raw.consentsCollected)
        testsCompleted = SuppressedCount(raw.testsCompleted)
        trialsAttended = SuppressedCount(raw.trialsAttended)
        recommendationsDelivered = SuppressedCount(raw.recommendationsDelivered)
    }
}

/// A month's raw counts, inside the server only (not `Encodable`).
public struct RawKPICounts: Sendable, Hashable {
    public var pupilsRegistered = 0
    public var consentsCollected = 0
    public var testsCompleted = 0
    public var trialsAttended = 0
    public var recommendationsDelivered = 0

    /// No counts.
    public init() {}
}

/// The answer of `GET /v1/kpi`.
public struct KPIReport: Sendable, Hashable, Encodable {
    /// `region`, `school` or `venue`.
    public var scope: String
    public var id: String
    /// Oldest first, one per month of the window (months with nothing are all `"<5"`).
    public var months: [KPIMonth]
}
