/// The KPI page's table: one row per month, the five figures as they left the server (a number,
/// or «<5»).
public enum KPIPage {
    /// One month.
    public struct Month: Sendable, Hashable {
        /// `ММ.ГГГГ`.
        public let month: String
        public let figures: [String]

        /// `month` as `YYYY-MM`.
        public init(month: String, figures: [String]) {
            let parts = month.split(separator: "-")
            self.month = parts.count == 2 ? "\(parts[1]).\(parts[0])" : month
            self.figures = figures
        }
    }
}
