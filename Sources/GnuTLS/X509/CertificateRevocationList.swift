import CGnuTLS

/// A parsed certificate revocation list (RFC 5280 §5).
///
/// Immutable after parsing. Reading the revoked serials walks the list once (GnuTLS's iterator),
/// so a 10,000-entry CRL is read in linear time; turning it into a set for O(1) lookups is the
/// caller's job.
public final class CertificateRevocationList: @unchecked Sendable {
    let handle: gnutls_x509_crl_t

    private init(adopting handle: gnutls_x509_crl_t) {
        self.handle = handle
    }

    deinit {
        gnutls_x509_crl_deinit(self.handle)
    }

    /// Parses every CRL of a PEM file; throws ``X509Error/Code/empty`` when there is none and
    /// ``X509Error/Code/malformedRevocationList`` for a broken one.
    public static func list(pem: [UInt8]) throws(X509Error) -> [CertificateRevocationList] {
        var list: UnsafeMutablePointer<gnutls_x509_crl_t?>?
        var count: UInt32 = 0
        let result = withDatum(pem) {
            gnutls_x509_crl_list_import2(&list, &count, $0, GNUTLS_X509_FMT_PEM, 0)
        }
        guard result >= 0 else {
            if result == GNUTLS_E_BASE64_DECODING_ERROR || result == GNUTLS_E_BASE64_UNEXPECTED_HEADER_ERROR {
                throw X509Error(pem.isEmpty ? .empty : .malformedRevocationList, gnutlsCode: result)
            }
            throw X509Error(.malformedRevocationList, gnutlsCode: result)
        }
        defer { GnuTLSMemory.release(list) }
        guard let list, count > 0 else { throw X509Error(.empty) }
        return (0..<Int(count)).compactMap { list[$0].map(CertificateRevocationList.init(adopting:)) }
    }

    /// The issuer's distinguished name exactly as encoded (DER).
    public var rawIssuer: [UInt8] {
        var datum = gnutls_datum_t()
        guard gnutls_x509_crl_get_raw_issuer_dn(self.handle, &datum) == GNUTLS_E_SUCCESS else { return [] }
        return [UInt8](copying: datum)
    }

    /// When this CRL was issued, in seconds since 1970 (UTC).
    public var thisUpdate: Int { Int(gnutls_x509_crl_get_this_update(self.handle)) }

    /// When the next CRL is due, in seconds since 1970 (UTC); `nil` when the CRL does not say.
    public var nextUpdate: Int? {
        let value = Int(gnutls_x509_crl_get_next_update(self.handle))
        return value == -1 ? nil : value
    }

    /// The serial numbers of every revoked certificate, each an unsigned big-endian integer
    /// without leading zero bytes (the same form as ``X509Certificate/serialNumber``).
    public func revokedSerialNumbers() throws(X509Error) -> [[UInt8]] {
        var iterator: gnutls_x509_crl_iter_t?
        defer { if iterator != nil { gnutls_x509_crl_iter_deinit(iterator) } }
        var serials: [[UInt8]] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            var size = buffer.count
            let result = buffer.withUnsafeMutableBytes {
                gnutls_x509_crl_iter_crt_serial(self.handle, &iterator, $0.baseAddress, &size, nil)
            }
            if result == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE { return serials }
            guard result == GNUTLS_E_SUCCESS else { throw X509Error(.malformedRevocationList, gnutlsCode: result) }
            serials.append(X509Bridge.normalisedSerial(Array(buffer.prefix(size))))
        }
    }
}
