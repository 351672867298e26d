import CGnuTLS

extension X509Certificate {
    /// The PEM encoding (`-----BEGIN CERTIFICATE-----`).
    public var pemRepresentation: String {
        let export = GnuTLSMemory.exported { gnutls_x509_crt_export2(self.handle, GNUTLS_X509_FMT_PEM, &$0) }
        return export.status == GNUTLS_E_SUCCESS ? String(decoding: export.bytes, as: UTF8.self) : ""
    }

    /// The subject public key, or `nil` when it is not of a ``SignatureAlgorithm`` this wrapper
    /// supports (RSA, other curves).
    public var publicKey: PublicKey? {
        guard let key = try? PublicKey.newHandle() else { return nil }
        guard gnutls_pubkey_import_x509(key, self.handle, 0) >= 0 else {
            gnutls_pubkey_deinit(key)
            return nil
        }
        return try? PublicKey(taking: key)
    }

    /// The subject key identifier extension's value, if present.
    public var subjectKeyIdentifier: [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64)
        var size = buffer.count
        var critical: UInt32 = 0
        let result = buffer.withUnsafeMutableBytes { gnutls_x509_crt_get_subject_key_id(self.handle, $0.baseAddress, &size, &critical) }
        return result == GNUTLS_E_SUCCESS ? Array(buffer.prefix(size)) : nil
    }

    /// The authority key identifier extension's key identifier, if present.
    public var authorityKeyIdentifier: [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 64)
        var size = buffer.count
        var critical: UInt32 = 0
        let result = buffer.withUnsafeMutableBytes { gnutls_x509_crt_get_authority_key_id(self.handle, $0.baseAddress, &size, &critical) }
        return result == GNUTLS_E_SUCCESS ? Array(buffer.prefix(size)) : nil
    }

    /// Every URI, DNS name and IP address of the subject alternative name extension, in order.
    public var subjectAlternativeNames: [SubjectAlternativeName] {
        var names: [SubjectAlternativeName] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        var index: UInt32 = 0
        while index < 64 {
            var size = buffer.count
            let type = buffer.withUnsafeMutableBytes {
                gnutls_x509_crt_get_subject_alt_name(self.handle, index, $0.baseAddress, &size, nil)
            }
            if type == GNUTLS_E_SHORT_MEMORY_BUFFER && size < 64 * 1024 {
                buffer = [UInt8](repeating: 0, count: size + 1)
                continue
            }
            if type < 0 { break }
            if let name = SubjectAlternativeName(gnutlsType: UInt32(type), bytes: Array(buffer.prefix(size))) { names.append(name) }
            index += 1
        }
        return names
    }

    /// The subject's common name, if any.
    public var commonName: String? {
        var buffer = [UInt8](repeating: 0, count: 256)
        var size = buffer.count
        let result = buffer.withUnsafeMutableBytes {
            gnutls_x509_crt_get_dn_by_oid(self.handle, "2.5.4.3", 0, 0, $0.baseAddress, &size)
        }
        guard result == GNUTLS_E_SUCCESS else { return nil }
        return String(decoding: buffer.prefix(size).prefix(while: { $0 != 0 }), as: UTF8.self)
    }

    /// The basic constraints path length of a CA certificate; `nil` when absent or unlimited.
    public var pathLength: Int? {
        var critical: UInt32 = 0
        var ca: UInt32 = 0
        var length: Int32 = -1
        guard gnutls_x509_crt_get_basic_constraints(self.handle, &critical, &ca, &length) >= 0, length >= 0 else { return nil }
        return Int(length)
    }
}

extension CertificateRevocationList {
    /// The DER encoding.
    public var der: [UInt8] {
        let export = GnuTLSMemory.exported { gnutls_x509_crl_export2(self.handle, GNUTLS_X509_FMT_DER, &$0) }
        return export.status == GNUTLS_E_SUCCESS ? export.bytes : []
    }

    /// The PEM encoding (`-----BEGIN X509 CRL-----`).
    public var pemRepresentation: String {
        let export = GnuTLSMemory.exported { gnutls_x509_crl_export2(self.handle, GNUTLS_X509_FMT_PEM, &$0) }
        return export.status == GNUTLS_E_SUCCESS ? String(decoding: export.bytes, as: UTF8.self) : ""
    }

    /// The CRL number extension (RFC 5280 §5.2.3) as an unsigned integer, if present and at most 63 bits.
    public var number: UInt64? {
        var buffer = [UInt8](repeating: 0, count: 32)
        var size = buffer.count
        var critical: UInt32 = 0
        let result = buffer.withUnsafeMutableBytes { gnutls_x509_crl_get_number(self.handle, $0.baseAddress, &size, &critical) }
        guard result == GNUTLS_E_SUCCESS else { return nil }
        let bytes = X509Bridge.normalisedSerial(Array(buffer.prefix(size)))
        guard bytes.count <= 8 else { return nil }
        return bytes.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// How many certificates the CRL lists.
    public var revokedCount: Int { max(0, Int(gnutls_x509_crl_get_crt_count(self.handle))) }
}
