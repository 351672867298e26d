// The standard library's `withUnsafeBytes` and `withUTF8` are `rethrows`, which loses a typed
// error. These helpers carry the typed error across through a `Result`.

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that preserves the closure's typed error.
    @inline(__always)
    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { raw in
            Result { () throws(E) -> R in try body(raw) }
        }
        return try result.get()
    }
}

extension String {
    /// `withUTF8` on a copy, preserving the closure's typed error.
    @inline(__always)
    func withUTF8Bytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        var copy = self
        let result: Result<R, E> = copy.withUTF8 { utf8 in
            Result { () throws(E) -> R in try body(UnsafeRawBufferPointer(utf8)) }
        }
        return try result.get()
    }
}
