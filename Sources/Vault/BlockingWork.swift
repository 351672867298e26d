import Foundation

/// Runs CPU-heavy blocking work (Argon2id) on a thread of its own, so neither an event loop nor
/// Swift's cooperative pool is held for its duration.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws(VaultError) -> T) async throws(VaultError) -> T {
        let result: Result<T, VaultError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(VaultError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "bilet-vault-kdf"
            thread.start()
        }
        return try result.get()
    }
}
