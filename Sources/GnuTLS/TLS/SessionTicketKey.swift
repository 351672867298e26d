import CGnuTLS

/// The master key from which GnuTLS derives its session ticket encryption keys.
///
/// Since GnuTLS 3.6 this one key seeds time-based ticket keys that rotate every ticket lifetime
/// (`gnutls_db_set_cache_expiration`), and tickets made with the previous period's key are still
/// accepted. Gateway instances that load the same master key therefore accept each other's
/// tickets, and keeping the key across a certificate reload keeps resumption working.
///
/// The bytes are a secret: they are held in GnuTLS-allocated memory, zeroed when freed, and never
/// printed.
public final class SessionTicketKey: @unchecked Sendable, CustomStringConvertible {
    /// The size of a master key, in bytes.
    public static let byteCount = 64

    var datum: gnutls_datum_t

    private init(datum: gnutls_datum_t) {
        self.datum = datum
    }

    deinit {
        GnuTLSMemory.release(&self.datum, wipe: true)
    }

    /// A fresh random master key from GnuTLS's key generator.
    public static func generate() throws(TLSSessionError) -> SessionTicketKey {
        var datum = gnutls_datum_t()
        let result = gnutls_session_ticket_key_generate(&datum)
        guard result == GNUTLS_E_SUCCESS else { throw TLSSessionError(.internalFailure, gnutlsCode: result) }
        return SessionTicketKey(datum: datum)
    }

    /// A master key shared with other instances; exactly ``byteCount`` bytes, otherwise throws
    /// ``TLSSessionError/Code/configurationRejected``.
    public convenience init(bytes: [UInt8]) throws(TLSSessionError) {
        guard bytes.count == Self.byteCount, let datum = X509Bridge.gnutlsCopy(bytes) else {
            throw TLSSessionError(.configurationRejected)
        }
        self.init(datum: datum)
    }

    public var description: String { "SessionTicketKey(redacted)" }
}
