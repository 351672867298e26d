// `gnutls_free` is a C global of function-pointer type, which Swift 6 sees as shared mutable
// state. GnuTLS sets it once when the library loads and, since 3.3.0, offers no way to replace
// it (gnutls_global_set_mem_functions is a no-op), so reading it from any thread is race-free.
// The `@preconcurrency` import is confined to this one file for that reason.
@preconcurrency import CGnuTLS

/// Memory that GnuTLS allocated and handed to us (for example the `data` of a datum filled by an
/// `…_export2` call, or the array of handles a `…_list_import2` call returns). Only this file
/// calls `gnutls_free`.
enum GnuTLSMemory {
    /// Releases a block GnuTLS allocated that is not a datum, such as the handle array of
    /// `gnutls_x509_crt_list_import2` (the handles themselves are not freed). NULL is a no-op.
    static func release(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        gnutls_free(pointer)
    }

    /// Releases a datum GnuTLS allocated. When `wipe` is true the bytes are zeroed first, for
    /// datums that held secrets (private key encodings, derived keys).
    static func release(_ datum: inout gnutls_datum_t, wipe: Bool) {
        guard let data = datum.data else { return }
        if wipe {
            gnutls_memset(data, 0, Int(datum.size))
        }
        gnutls_free(data)
        datum.data = nil
        datum.size = 0
    }

    /// Copies a GnuTLS-allocated datum into a Swift array and releases it.
    static func take(_ datum: inout gnutls_datum_t, wipe: Bool) -> [UInt8] {
        defer { release(&datum, wipe: wipe) }
        return [UInt8](copying: datum)
    }

    /// Runs an `…_export2` call on a fresh datum and takes what it allocated: returns the call's
    /// status and the exported bytes, and releases the datum whatever the status. Callers decide
    /// what a failing status means; the bytes are then normally empty.
    static func exported(_ export: (inout gnutls_datum_t) -> Int32) -> (status: Int32, bytes: [UInt8]) {
        var datum = gnutls_datum_t()
        let status = export(&datum)
        return (status, take(&datum, wipe: false))
    }
}
