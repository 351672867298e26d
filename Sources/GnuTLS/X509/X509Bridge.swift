// `gnutls_malloc` is a C global of function-pointer type, which Swift 6 sees as shared mutable
// state. GnuTLS sets it once when the library loads and never changes it, so reading it from any
// thread is race-free; the `@preconcurrency` import is confined to this file for that reason.
@preconcurrency import CGnuTLS

/// Small, shared plumbing for the X.509 and TLS wrappers: GnuTLS-owned copies, error names and
/// serial normalisation. Lending bytes as datums is `withDatum` (Support/Datum.swift); taking and
/// releasing what GnuTLS allocated is ``GnuTLSMemory``.
enum X509Bridge {
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
