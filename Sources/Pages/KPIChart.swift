/// A bar chart of one KPI figure over twelve months, drawn by the server as SVG (no script): the
/// bars' geometry, each month's label and value as shown («<5» for a suppressed figure, which has
/// no bar, so a chart never tells a small count the table hides), and a `<title>` and `<desc>`
/// for screen readers; the page puts the same figures in a table beside it.
public struct KPIChart: Sendable, Hashable {
    /// One month's bar.
    public struct Bar: Sendable, Hashable {
        public let x: Int
        public let y: Int
        public let width: Int
        public let height: Int
        /// The centre of the bar, for its labels.
        public let middle: Int
        /// Where the value's label sits (above the bar).
        public let labelY: Int
        /// `ММ.ГГГГ`.
        public let month: String
        /// `ММ.ГГ`, under the bar.
        public let shortMonth: String
        /// The figure as shown: a number or «<5».
        public let value: String
        public let suppressed: Bool
    }

    public static let width = 640
    public static let height = 240
    /// The baseline's height from the top.
    public static let baseline = 200
    static let top = 24
    static let left = 8

    /// The `id` of the `<svg>` and the prefix of its title's and description's.
    public let id: String
    /// The figure's name, in Russian (the chart's title).
    public let title: String
    /// A sentence for screen readers: the range and the largest month.
    public let description: String
    public let bars: [Bar]
    public let width = Self.width
    public let height = Self.height
    public let baseline = Self.baseline
    public let viewBox = "0 0 \(Self.width) \(Self.height)"

    /// The chart `id` of `title` over `months` (`ММ.ГГГГ` with the figure: a count, or `nil` when
    /// suppressed).
    public init(id: String, title: String, months: [(month: String, count: Int?)]) {
        self.id = id
        self.title = title
        let largest = max(months.compactMap(\.count).max() ?? 0, 1)
        let slot = (Self.width - 2 * Self.left) / max(months.count, 1)
        let barWidth = slot * 7 / 10
        bars = months.enumerated().map { index, month in
            let height = month.count.map { $0 * (Self.baseline - Self.top) / largest } ?? 0
            let x = Self.left + index * slot + (slot - barWidth) / 2
            let parts = month.month.split(separator: ".")
            return Bar(
                x: x, y: Self.baseline - height, width: barWidth, height: height, middle: x + barWidth / 2,
                labelY: Self.baseline - height - 6, month: month.month,
                shortMonth: parts.count == 2 ? "\(parts[0]).\(parts[1].suffix(2))" : month.month,
                value: month.count.map { String($0) } ?? "<\(KPIChart.threshold)", suppressed: month.count == nil)
        }
        let first = months.first?.month ?? ""
        let last = months.last?.month ?? ""
        if let peak = months.filter({ $0.count != nil }).max(by: { ($0.count ?? 0) < ($1.count ?? 0) }), let count = peak.count {
            description = "\(title) по месяцам с \(first) по \(last). Наибольшее значение \(count) — в \(peak.month). "
                + "Значения меньше \(KPIChart.threshold) не показаны столбцом."
        } else {
            description = "\(title) по месяцам с \(first) по \(last): во всех месяцах меньше \(KPIChart.threshold)."
        }
    }

    /// The smallest figure shown exactly (the KPI's suppression threshold).
    public static let threshold = 5
}
