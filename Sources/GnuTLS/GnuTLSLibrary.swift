import CGnuTLS

/// Facts about the GnuTLS library this process runs against, and an explicit start-up check.
///
/// GnuTLS (since 3.3.0) initialises itself in a library constructor that runs before `main`,
/// so no call in this target needs a prior set-up step, and the first use from several threads
/// at once is safe. That implicit initialisation is skipped only when the environment variable
/// `GNUTLS_NO_IMPLICIT_INIT=1` is set; ``ensureInitialized()`` covers that case and checks the
/// version; the `bilet` command should call it once at start-up.
public enum GnuTLSLibrary {
    /// The oldest GnuTLS this code is written and tested against.
    public static let minimumVersion = "3.7.0"

    /// The version string of the loaded library, for example `"3.7.9"`.
    public static var version: String {
        gnutls_check_version(nil).map { String(cString: $0) } ?? "unknown"
    }

    /// Makes sure GnuTLS is initialised and recent enough.
    ///
    /// `gnutls_global_init` is reference-counted, thread-safe and does nothing after its first
    /// successful call, so calling this more than once is harmless.
    ///
    /// - Throws: ``CryptoError/Code/libraryUnavailable`` when the library is older than
    ///   ``minimumVersion`` or its initialisation (including its power-on self-tests) failed.
    public static func ensureInitialized() throws(CryptoError) {
        guard gnutls_check_version(minimumVersion) != nil else {
            throw CryptoError(.libraryUnavailable)
        }
        try CryptoError.check(gnutls_global_init(), .libraryUnavailable)
    }
}
