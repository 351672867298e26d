import Foundation

/// One ``TestPKI`` for the whole test process (making it takes a few seconds); its directory is
/// deleted when the process exits.
public enum SharedPKI {
    static let ready = Task { () throws -> TestPKI in
        let pki = try await TestPKI()
        PKICleanup.register(pki.directory.path)
        return pki
    }

    /// The process's PKI, made on first use.
    public static func get() async throws -> TestPKI { try await ready.value }
}

enum PKICleanup {
    nonisolated(unsafe) private static var path: String?
    static func register(_ directory: String) {
        path = directory
        atexit {
            if let path = PKICleanup.path { try? FileManager.default.removeItem(atPath: path) }
        }
    }
}
