import GnuTLS

/// SHA-256 over a backup file as it is written or read, a piece at a time.
final class RunningDigest {
    private var hash: IncrementalHash

    init() throws(BackupError) {
        do {
            hash = try IncrementalHash(.sha256)
        } catch {
            throw .crypto("hash failed (\(error.code.rawValue))")
        }
    }

    func update(_ bytes: [UInt8]) throws(BackupError) {
        do {
            try hash.update(bytes)
        } catch {
            throw .crypto("hash failed (\(error.code.rawValue))")
        }
    }

    /// The digest of everything so far (the running state is kept).
    func value() throws(BackupError) -> [UInt8] {
        do {
            return try hash.copy().finalize()
        } catch {
            throw .crypto("hash failed (\(error.code.rawValue))")
        }
    }
}
