// `gnutls_free` is a C global of function-pointer type, which Swift 6 sees as shared mutable
// state. GnuTLS sets it once when the library loads and never changes it, so reading it from any
// thread is race-free; the `@preconcurrency` import is confined to this file for that reason.
@preconcurrency import CGnuTLS

/// Small, shared plumbing for the X.509 and TLS wrappers: lending bytes to GnuTLS as datums and
/// releasing what GnuTLS allocated. Nothing outside `Sources/GnuTLS/X509` and `Sources/GnuTLS/TLS`
/// uses it.
enum X509Bridge {
    /// Lends `bytes` to GnuTLS as a datum for the duration of `body` (GnuTLS only reads it).
    static func withDatum<R>(_ bytes: [UInt8], _ body: (UnsafePointer<gnutls_datum_t>) throws -> R) rethrows -> R {
        var copy = bytes
        if copy.isEmpty { copy = [0] }  // a valid pointer even for zero bytes
        let count = bytes.count
        return try copy.withUnsafeMutableBufferPointer { buffer in
            var datum = gnutls_datum_t(data: buffer.baseAddress, size: UInt32(count))
            return try withUnsafePointer(to: &datum) { try body($0) }
        }
    }

    /// Copies `size` bytes at `data` into an array (empty for NULL).
    static func bytes(_ data: UnsafePointer<UInt8>?, _ size: UInt32) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(size)))
    }

    /// Releases memory GnuTLS allocated and handed to us.
    static func free(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        gnutls_free(pointer)
    }

    /// Zeroes and releases a datum GnuTLS allocated that held a secret.
    static func wipeAndFree(_ datum: inout gnutls_datum_t) {
        guard let data = datum.data else { return }
        gnutls_memset(data, 0, Int(datum.size))
        gnutls_free(data)
        datum.data = nil
        datum.size = 0
    }

    /// Allocates a GnuTLS-owned copy of `bytes` (for APIs that keep a datum GnuTLS will free).
    static func gnutlsCopy(_ bytes: [UInt8]) -> gnutls_datum_t? {
        guard let raw = gnutls_malloc(max(bytes.count, 1)) else { return nil }
        let data = raw.bindMemory(to: UInt8.self, capacity: max(bytes.count, 1))
        bytes.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { data.update(from: base, count: bytes.count) }
        }
        return gnutls_datum_t(data: data, size: UInt32(bytes.count))
    }

    /// The GnuTLS symbolic name of an error code, e.g. `GNUTLS_E_AGAIN`; safe to log.
    static func errorName(_ code: Int32) -> String {
        gnutls_strerror_name(code).map { String(cString: $0) } ?? "GNUTLS_E_\(code)"
    }

    /// Integer serial numbers compare equal whatever their DER padding: strip leading zero bytes.
    static func normalisedSerial(_ serial: [UInt8]) -> [UInt8] {
        let trimmed = serial.drop(while: { $0 == 0 })
        return trimmed.isEmpty ? [0] : Array(trimmed)
    }
}
