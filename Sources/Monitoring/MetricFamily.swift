import CoreMetrics
import Synchronization

/// The series of one metric name made as their label values first appear, for the readings taken
/// at scrape time (not for hot paths: each use hashes its label values).
///
/// Every series of a family has the same label names, as Prometheus requires.
final class MetricFamily<Instrument: Sendable>: Sendable {
    let name: String
    let labelNames: [String]
    private let make: @Sendable (String, [(String, String)]) -> Instrument
    private let series = Mutex<[[String]: Instrument]>([:])

    init(_ name: String, labels: [String], make: @escaping @Sendable (String, [(String, String)]) -> Instrument) {
        self.name = name
        self.labelNames = labels
        self.make = make
    }

    /// The series with `values` (one per label name, in order).
    subscript(_ values: String...) -> Instrument {
        precondition(values.count == labelNames.count, "\(name) has labels \(labelNames)")
        return series.withLock { series in
            if let instrument = series[values] { return instrument }
            let instrument = make(name, Array(zip(labelNames, values)))
            series[values] = instrument
            return instrument
        }
    }
}

extension MetricFamily where Instrument == CoreMetrics.Gauge {
    convenience init(gauge name: String, labels: [String] = [], factory: any MetricsFactory) {
        self.init(name, labels: labels) { CoreMetrics.Gauge(label: $0, dimensions: $1, factory: factory) }
    }
}

extension MetricFamily where Instrument == CoreMetrics.Counter {
    convenience init(counter name: String, labels: [String] = [], factory: any MetricsFactory) {
        self.init(name, labels: labels) { CoreMetrics.Counter(label: $0, dimensions: $1, factory: factory) }
    }
}

extension MetricFamily where Instrument == CoreMetrics.FloatingPointCounter {
    convenience init(floatingCounter name: String, labels: [String] = [], factory: any MetricsFactory) {
        self.init(name, labels: labels) { CoreMetrics.FloatingPointCounter(label: $0, dimensions: $1, factory: factory) }
    }
}
