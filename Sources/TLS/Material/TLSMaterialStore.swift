import GnuTLS
public import Logging
import Synchronization

/// The current generation of TLS material, and its atomic replacement.
///
/// ``current`` is what new handshakes use. ``reload(reason:)`` reads every file and builds a
/// complete new generation first; only if all of it is valid does it replace the old one in one
/// step, and then puts the new revocation set in force in the ``ConnectionRegistry`` (closing live
/// connections of newly revoked certificates). A bad file keeps the old generation and logs an
/// error naming the file's role, path and the reason. Connections in flight keep the generation
/// they started with.
public final class TLSMaterialStore: Sendable {
    /// The files this store reads.
    public let files: TLSMaterialFiles
    private let registry: ConnectionRegistry
    private let logger: Logger
    private let generatedTicketKey: SessionTicketKey?
    private let material: Mutex<TLSMaterial>
    /// Serialises reloads, and remembers the stamps of files that failed to load so that polling
    /// does not retry (and log) the same bad file again and again.
    private let reloading = Mutex<[String: FileStamp]?>(nil)

    /// Loads the first generation; throws when any file is missing or invalid.
    public init(files: TLSMaterialFiles, registry: ConnectionRegistry, logger: Logger) throws(TLSMaterialError) {
        let generated: SessionTicketKey?
        if files.ticketKey == nil {
            do { generated = try SessionTicketKey.generate() } catch {
                throw TLSMaterialError(.invalidTicketKey, role: "ticket-key", path: "(generated)", detail: error.description)
            }
        } else {
            generated = nil
        }
        let first = try TLSMaterial.load(files, generation: 1, generatedTicketKey: generated)
        self.files = files
        self.registry = registry
        self.logger = logger
        self.generatedTicketKey = generated
        self.material = Mutex(first)
        registry.enforce(first.revocations)
        logger.info(
            "tls material loaded",
            metadata: ["tls.generation": "1", "tls.revoked": "\(first.revocations.count)"])
        Self.warnIfStale(first, logger: logger)
    }

    /// Logs a warning when a CRL of `material` is already past its nextUpdate: until a fresh one
    /// arrives, the certificates of its issuer are refused (`crl-expired`).
    private static func warnIfStale(_ material: TLSMaterial, logger: Logger) {
        let now = material.verifier.clock()
        guard let earliest = material.revocations.earliestNextUpdate, now > earliest else { return }
        logger.warning(
            "tls crl past its nextUpdate; certificates of its issuer get crl-expired until a fresh crl arrives",
            metadata: [
                "tls.generation": "\(material.generation)", "tls.refusal": "\(ClientCertificateRefusal.crlExpired.code)",
                "tls.crl.next_update": "\(earliest)",
            ])
    }

    /// The generation new handshakes use.
    public var current: TLSMaterial { self.material.withLock { $0 } }

    /// The outcome of a reload.
    public enum ReloadOutcome: Sendable, Equatable {
        /// A new generation is in force; `closedConnections` live connections were revoked by it.
        case reloaded(generation: Int, closedConnections: Int)
        /// The files were invalid; the previous generation stays.
        case failed(TLSMaterialError)
        /// Nothing changed on disk (only from ``reloadIfChanged()``).
        case unchanged
    }

    /// Reloads every file now (SIGHUP, or an operator's command).
    @discardableResult
    public func reload(reason: String) -> ReloadOutcome {
        self.reloading.withLock { failedStamps in
            self.performReload(reason: reason, failedStamps: &failedStamps)
        }
    }

    /// Reloads when a file's stamp differs from the current generation's (and from the last
    /// failed attempt's); answers ``ReloadOutcome/unchanged`` otherwise.
    @discardableResult
    public func reloadIfChanged() -> ReloadOutcome {
        self.reloading.withLock { failedStamps in
            let onDisk = self.stampsOnDisk()
            let loaded = self.current.stamps
            if onDisk == loaded { return .unchanged }
            if let failedStamps, onDisk == failedStamps { return .unchanged }
            return self.performReload(reason: "files changed", failedStamps: &failedStamps)
        }
    }

    private func stampsOnDisk() -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        for (_, path) in self.files.roles {
            if let stamp = FileStamp(path: path) { stamps[path] = stamp }
        }
        return stamps
    }

    private func performReload(reason: String, failedStamps: inout [String: FileStamp]?) -> ReloadOutcome {
        let previous = self.current
        let next: TLSMaterial
        do throws(TLSMaterialError) {
            next = try TLSMaterial.load(
                self.files, generation: previous.generation + 1, generatedTicketKey: self.generatedTicketKey)
            // a CRL never goes back: an older CRL of an issuer (a replay that would un-revoke) is refused
            if let (offered, inForce) = next.revocations.rollback(from: previous.revocations) {
                throw TLSMaterialError(
                    .revocationListRollback, role: "crl", path: self.files.revocationList ?? "",
                    detail: "\(offered.issuerName): offered \(offered.numberText), in force \(inForce.numberText)")
            }
        } catch {
            failedStamps = self.stampsOnDisk()
            self.logger.error(
                "tls material reload failed; keeping the previous material",
                metadata: [
                    "tls.reload.reason": "\(reason)", "error.code": "\(error.code.rawValue)",
                    "tls.file.role": "\(error.role)", "tls.file.path": "\(error.path)",
                    "tls.generation": "\(previous.generation)", "error.detail": "\(error.detail ?? "")",
                ])
            return .failed(error)
        }
        failedStamps = nil
        self.material.withLock { $0 = next }
        let closed = self.registry.enforce(next.revocations)
        self.logger.info(
            "tls material reloaded",
            metadata: [
                "tls.reload.reason": "\(reason)", "tls.generation": "\(next.generation)",
                "tls.revoked": "\(next.revocations.count)", "tls.revoked.closed": "\(closed)",
            ])
        Self.warnIfStale(next, logger: self.logger)
        return .reloaded(generation: next.generation, closedConnections: closed)
    }
}
