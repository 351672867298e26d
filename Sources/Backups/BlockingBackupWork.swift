import Dispatch
import Vault

/// Runs blocking backup work (Argon2id, pipes to and from PostgreSQL's programs, file I/O) on a
/// dispatch thread, never on the cooperative pool, and awaits its result.
enum BlockingBackupWork {
    static func run<Result: Sendable>(_ work: @escaping @Sendable () throws(BackupError) -> Result) async throws(BackupError) -> Result {
        let outcome: Swift.Result<Result, BackupError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(BackupError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try outcome.get()
    }
}
