import CGnuTLS

/// Lends Swift bytes to GnuTLS as a `gnutls_datum_t` for the duration of `body`.
///
/// GnuTLS only reads input datums (they are `const` in every API we call), so handing it a
/// mutable pointer to borrowed memory is sound. An empty input gets a valid pointer to a
/// zero-length region rather than NULL, because a few GnuTLS paths pass the pointer on to
/// `memcpy`, which must not receive NULL even for zero bytes.
@inline(__always)
func withDatum<R, E: Error>(
    _ bytes: UnsafeRawBufferPointer,
    _ body: (UnsafePointer<gnutls_datum_t>) throws(E) -> R
) throws(E) -> R {
    var placeholder: UInt8 = 0
    return try withUnsafeMutablePointer(to: &placeholder) { (empty) throws(E) -> R in
        let base = bytes.baseAddress.map { UnsafeMutablePointer(mutating: $0.assumingMemoryBound(to: UInt8.self)) } ?? empty
        var datum = gnutls_datum_t(data: base, size: UInt32(bytes.count))
        return try withUnsafePointer(to: &datum) { (pointer) throws(E) -> R in
            try body(pointer)
        }
    }
}

/// Lends a byte array to GnuTLS as a `gnutls_datum_t`; see ``withDatum(_:_:)-(UnsafeRawBufferPointer,_)``.
@inline(__always)
func withDatum<R, E: Error>(
    _ bytes: [UInt8],
    _ body: (UnsafePointer<gnutls_datum_t>) throws(E) -> R
) throws(E) -> R {
    try bytes.withBytes { (raw) throws(E) -> R in
        try withDatum(raw, body)
    }
}

extension Array where Element == UInt8 {
    /// Copies the bytes of a datum GnuTLS still owns (for example a DN inside a certificate or
    /// a peer certificate of a session); empty for a NULL or zero-length datum. Nothing is freed.
    init(copying datum: gnutls_datum_t) {
        guard let data = datum.data, datum.size > 0 else {
            self = []
            return
        }
        self = Array(UnsafeBufferPointer(start: data, count: Int(datum.size)))
    }
}

/// A base address that is never nil, for C parameters that take `const void *` with a length.
@inline(__always)
func withNonNullBytes<R, E: Error>(
    _ bytes: [UInt8],
    _ body: (UnsafeRawPointer, Int) throws(E) -> R
) throws(E) -> R {
    try bytes.withBytes { (raw) throws(E) -> R in
        try withNonNullBytes(raw, body)
    }
}

/// See ``withNonNullBytes(_:_:)-([UInt8],_)``.
@inline(__always)
func withNonNullBytes<R, E: Error>(
    _ raw: UnsafeRawBufferPointer,
    _ body: (UnsafeRawPointer, Int) throws(E) -> R
) throws(E) -> R {
    if let base = raw.baseAddress {
        return try body(base, raw.count)
    }
    var placeholder: UInt8 = 0
    return try withUnsafePointer(to: &placeholder) { (empty) throws(E) -> R in
        try body(UnsafeRawPointer(empty), 0)
    }
}
