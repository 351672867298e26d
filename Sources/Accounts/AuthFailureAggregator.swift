public import Audit
import Foundation
public import PostgreSQL
import Synchronization
public import TLS

/// Bounds the audit records that repeated authentication failures produce (review finding M4):
/// per principal (the workstation certificate's identity, or the refused certificate's serial)
/// and method, the first ``threshold`` failures of a window of ``window`` are audited one by one
/// as before; the rest of that window are counted and written as ONE `auth.failed` record with
/// `count` (how many) and `window_seconds` (catalogue v3), when the window has ended. So 100 bad
/// bearer tokens from one workstation within a minute make at most `threshold + 1` records.
///
/// ``admit(actor:method:certificate:issuer:)`` decides synchronously whether a failure is audited
/// on its own (the caller writes it, in its transaction, as before) or absorbed.
/// ``flush(force:)`` writes the aggregates of ended windows, each in a transaction of its own on
/// ``pool`` (role `bilet_accounts`, the role allowed to write `auth.failed`); ``run(interval:)``
/// flushes periodically until cancelled, then flushes everything. Aggregates that cannot be written
/// stay and are retried at the next flush.
///
/// It is also the gateway's ``HandshakeRefusalObserver``: every refused client certificate is a
/// failure of method `certificate` for `serial:<hex>` (or `gateway:no-certificate`), and all of them
/// (the first ``threshold`` too) are written by ``flush(force:)``, never on the event loop.
///
/// Memory is bounded: at most ``maximumPrincipals`` windows are tracked; failures of further
/// principals are counted under the actor `gateway:other-principals`.
public final class AuthFailureAggregator: HandshakeRefusalObserver, Sendable {
    /// Failures of one principal audited one by one per window.
    public let threshold: Int
    /// The aggregation window.
    public let window: Duration
    /// The most principals tracked at once.
    public let maximumPrincipals: Int
    /// Where aggregates are written (role `bilet_accounts`).
    public let pool: PostgresConnectionPool
    private let log: AuditLog
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex(State())

    private struct Key: Hashable {
        let actor: String
        let method: String
    }

    /// One principal's current window.
    private struct Window {
        var start: ContinuousClock.Instant
        var individual = 0
        var absorbed = 0
        var certificate: String?
        var issuer: String?
        var reason: String?
    }

    /// Failures waiting to be written: aggregates of ended windows, and refused certificates.
    private struct Pending {
        var count: Int
        var certificate: String?
        var issuer: String?
        var reason: String
        var aggregated: Bool
    }

    private struct State {
        var windows: [Key: Window] = [:]
        /// Written by the next flush; at most one aggregate per key (merged).
        var pending: [Key: Pending] = [:]
        /// Individual refused certificates waiting to be written (bounded by the threshold per key).
        var individual: [(Key, Pending)] = []
    }

    /// The actor under which failures beyond ``maximumPrincipals`` tracked principals are counted.
    public static let overflowActor = "gateway:other-principals"

    /// An aggregator writing through `pool`.
    /// - Parameters:
    ///   - threshold: failures of one principal audited one by one per window (10).
    ///   - window: the window (one minute).
    ///   - maximumPrincipals: the most principals tracked at once.
    ///   - now: the clock (tests move it).
    public init(
        pool: PostgresConnectionPool, log: AuditLog = AuditLog(), threshold: Int = 10, window: Duration = .seconds(60),
        maximumPrincipals: Int = 10_000, now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.pool = pool
        self.log = log
        self.threshold = max(0, threshold)
        self.window = window
        self.maximumPrincipals = max(1, maximumPrincipals)
        self.now = now
    }

    /// Counts one failure of `actor` by `method`. True: it is within the threshold, and the caller
    /// audits it on its own as before. False: it was absorbed into the window's aggregate, which
    /// ``flush(force:)`` writes once the window has ended.
    public func admit(actor: String, method: String, reason: String, certificate: String? = nil, issuer: String? = nil) -> Bool {
        let instant = now()
        return state.withLock { state in
            count(&state, Key(actor: actor, method: method), at: instant, reason: reason, certificate: certificate, issuer: issuer)
        }
    }

    private func count(
        _ state: inout State, _ requested: Key, at instant: ContinuousClock.Instant, reason: String, certificate: String?, issuer: String?
    ) -> Bool {
        var key = requested
        if state.windows[key] == nil {
            closeEnded(&state, at: instant)
            if state.windows.count >= maximumPrincipals { key = Key(actor: Self.overflowActor, method: requested.method) }
        }
        var current = state.windows[key] ?? Window(start: instant)
        if instant - current.start >= window {
            close(&state, key, current)
            current = Window(start: instant)
        }
        defer { state.windows[key] = current }
        if current.individual < threshold && key == requested {
            current.individual += 1
            return true
        }
        current.absorbed += 1
        current.certificate = current.certificate ?? certificate
        current.issuer = current.issuer ?? issuer
        current.reason = current.reason ?? reason
        return false
    }

    /// Moves the aggregate of `window` (if it absorbed anything) to the pending records.
    private func close(_ state: inout State, _ key: Key, _ window: Window) {
        guard window.absorbed > 0 else { return }
        var merged = state.pending[key] ?? Pending(
            count: 0, certificate: window.certificate, issuer: window.issuer, reason: "repeated_failures", aggregated: true)
        merged.count += window.absorbed
        state.pending[key] = merged
    }

    /// Closes every window that has ended (all of them when `force`).
    private func closeEnded(_ state: inout State, at instant: ContinuousClock.Instant, force: Bool = false) {
        for (key, current) in state.windows where force || instant - current.start >= window {
            close(&state, key, current)
            state.windows[key] = nil
        }
    }

    /// A refused client certificate: counted like any failure of method `certificate` for the
    /// certificate's serial; written (one by one within the threshold, aggregated beyond it) by
    /// the next ``flush(force:)``. Returns at once.
    public func handshakeRefused(_ refusal: HandshakeRefusal) {
        let actor = refusal.serial.map { "serial:\($0)" } ?? "gateway:no-certificate"
        let reason = refusal.refusal.code.replacingOccurrences(of: "-", with: "_")
        let instant = now()
        state.withLock { state in
            let key = Key(actor: actor, method: "certificate")
            guard count(&state, key, at: instant, reason: reason, certificate: refusal.serial.map { "serial:\($0)" }, issuer: refusal.issuerDigest)
            else { return }
            state.individual.append((key, Pending(
                count: 1, certificate: refusal.serial.map { "serial:\($0)" }, issuer: refusal.issuerDigest, reason: reason, aggregated: false)))
        }
    }

    /// Writes the aggregates of every window that has ended (of every window when `force`) and
    /// the refused certificates waiting; returns how many records it wrote.
    ///
    /// - Throws: ``AccountsError/Code/auditUnavailable`` when a record cannot be written; what was
    ///   not written stays for the next flush.
    @discardableResult
    public func flush(force: Bool = false) async throws(AccountsError) -> Int {
        let instant = now()
        let (individual, aggregates) = state.withLock { state in
            closeEnded(&state, at: instant, force: force)
            let taken = (state.individual, state.pending.map { ($0.key, $0.value) })
            state.individual = []
            state.pending = [:]
            return taken
        }
        let records = individual + aggregates.sorted { $0.0.actor < $1.0.actor }
        var written = 0
        for (index, (key, pending)) in records.enumerated() {
            do {
                try await log.append(event(key, pending), using: pool)
                written += 1
            } catch {
                // Keep what was not written for the next flush.
                state.withLock { state in
                    for (key, pending) in records[index...] {
                        if pending.aggregated {
                            var merged = state.pending[key] ?? Pending(
                                count: 0, certificate: pending.certificate, issuer: pending.issuer, reason: pending.reason, aggregated: true)
                            merged.count += pending.count
                            state.pending[key] = merged
                        } else {
                            state.individual.append((key, pending))
                        }
                    }
                }
                throw AccountsError(.auditUnavailable, "the audit record could not be written (\(error.code.rawValue))")
            }
        }
        return written
    }

    private func event(_ key: Key, _ pending: Pending) -> AuthFailed {
        AuthFailed(
            actor: key.actor, method: key.method, reason: pending.reason, certificate: pending.certificate,
            count: pending.aggregated ? pending.count : nil, windowSeconds: pending.aggregated ? Int(window.components.seconds) : nil,
            issuer: pending.issuer)
    }

    /// Flushes every `interval` until the task is cancelled, then writes everything left.
    /// Failures are retried at the next interval.
    public func run(interval: Duration = .seconds(5)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            _ = try? await flush()
        }
        _ = try? await flush(force: true)
    }
}
