import CGnuTLS

/// A compiled GnuTLS priority string: which protocol versions, key exchanges, ciphers, MACs,
/// groups and signature algorithms a session may negotiate.
///
/// Compiled once and shared read-only by every session (GnuTLS's priority cache is safe to use from
/// several threads). Freed when the last session holding it is gone.
public final class TLSPriorities: @unchecked Sendable {
    let handle: gnutls_priority_t
    /// The priority string this was compiled from.
    public let string: String

    /// Compiles `string`; throws ``TLSSessionError/Code/configurationRejected`` when GnuTLS refuses
    /// it (the error carries GnuTLS's code, not the string).
    public init(_ string: String) throws(TLSSessionError) {
        var cache: gnutls_priority_t?
        var errorPosition: UnsafePointer<CChar>?
        let result = gnutls_priority_init(&cache, string, &errorPosition)
        guard result == GNUTLS_E_SUCCESS, let cache else {
            throw TLSSessionError(.configurationRejected, gnutlsCode: result)
        }
        self.handle = cache
        self.string = string
    }

    deinit {
        gnutls_priority_deinit(self.handle)
    }

    /// The names of the cipher suites this priority allows, as GnuTLS lists them
    /// (e.g. `TLS_AES_128_GCM_SHA256`, `TLS_GOSTR341112_256_28147_CNT_IMIT`).
    public var cipherSuiteNames: [String] {
        var names: [String] = []
        var index: UInt32 = 0
        while index < 512 {
            var suiteIndex: UInt32 = 0
            let result = gnutls_priority_get_cipher_suite_index(self.handle, index, &suiteIndex)
            index += 1
            if result == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE { break }
            guard result == GNUTLS_E_SUCCESS else { continue }
            var id: (UInt8, UInt8) = (0, 0)
            if let name = withUnsafeMutableBytes(of: &id, { raw -> UnsafePointer<CChar>? in
                gnutls_cipher_suite_info(Int(suiteIndex), raw.baseAddress?.assumingMemoryBound(to: UInt8.self), nil, nil, nil, nil)
            }) {
                names.append(String(cString: name))
            }
        }
        return names
    }
}
