/// Everything a certificate says apart from its public key and its issuer: what
/// ``CertificateIssuer`` signs.
///
/// Extensions are written as RFC 5280 profiles them: basic constraints (critical, always present,
/// `CA:TRUE` with the path length for authorities, `CA:FALSE` otherwise), key usage (critical),
/// extended key usage (non-critical, omitted when empty), subject alternative names (omitted when
/// empty), subject key identifier and authority key identifier.
public struct CertificateTemplate: Sendable, Hashable {
    /// The subject name.
    public var subject: DistinguishedName
    /// The serial number, an unsigned big-endian integer of 1–20 bytes (see ``SerialNumber``).
    public var serialNumber: [UInt8]
    /// Start of validity, seconds since 1970 (UTC).
    public var notBefore: Int
    /// End of validity, seconds since 1970 (UTC).
    public var notAfter: Int
    /// Whether the certificate is a certificate authority.
    public var isCertificateAuthority: Bool
    /// For authorities, how many intermediate authorities may follow; `nil` for no limit.
    public var pathLength: Int?
    /// The key usage bits.
    public var keyUsage: KeyUsage
    /// Extended key usage purposes as dotted OIDs (``KeyPurpose``).
    public var extendedKeyUsage: [String]
    /// Subject alternative names, in order.
    public var subjectAlternativeNames: [SubjectAlternativeName]

    /// Makes a template.
    public init(
        subject: DistinguishedName, serialNumber: [UInt8], notBefore: Int, notAfter: Int,
        isCertificateAuthority: Bool = false, pathLength: Int? = nil, keyUsage: KeyUsage,
        extendedKeyUsage: [String] = [], subjectAlternativeNames: [SubjectAlternativeName] = []
    ) {
        self.subject = subject
        self.serialNumber = serialNumber
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.isCertificateAuthority = isCertificateAuthority
        self.pathLength = pathLength
        self.keyUsage = keyUsage
        self.extendedKeyUsage = extendedKeyUsage
        self.subjectAlternativeNames = subjectAlternativeNames
    }

    /// Refuses an inconsistent template with ``CertificateIssuingError/Code/invalidTemplate``.
    func validate() throws(CertificateIssuingError) {
        let serial = self.serialNumber.drop(while: { $0 == 0 })
        guard !serial.isEmpty, self.serialNumber.count <= 20,
              self.notAfter > self.notBefore,
              self.subject.isWritable,
              self.subjectAlternativeNames.allSatisfy(\.isWritable),
              self.extendedKeyUsage.allSatisfy(Self.isDottedOID),
              (self.pathLength ?? 0) >= 0
        else { throw CertificateIssuingError(.invalidTemplate) }
    }

    static func isDottedOID(_ text: String) -> Bool {
        let arcs = text.split(separator: ".", omittingEmptySubsequences: false)
        return arcs.count >= 2 && arcs.allSatisfy { !$0.isEmpty && $0.utf8.count <= 10 && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }
}

/// Certificate serial numbers (RFC 5280 §4.1.2.2).
public enum SerialNumber {
    /// 128 fresh random bits at key quality, as a positive integer whose unsigned encoding is
    /// exactly 16 bytes (a leading zero byte is drawn again, so the normalised serial, the CRL
    /// entry and the inventory's hexadecimal all have the same length).
    ///
    /// - Throws: ``CryptoError/Code/randomGenerationFailed``.
    public static func random128() throws(CryptoError) -> [UInt8] {
        while true {
            let bytes = try SecureRandom.bytes(count: 16, level: .key)
            if bytes[0] != 0 { return bytes }
        }
    }

    /// Lowercase hexadecimal of an unsigned serial without leading zero bytes.
    public static func hex(_ serial: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in X509Bridge.normalisedSerial(serial) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses lowercase or uppercase hexadecimal (an optional `serial:` or `0x` prefix and `:`
    /// separators are accepted) into unsigned bytes without leading zeros; `nil` when not hex or
    /// longer than 20 bytes.
    public static func parse(_ text: String) -> [UInt8]? {
        var body = Substring(text)
        for prefix in ["serial:", "0x", "0X"] where body.hasPrefix(prefix) { body = body.dropFirst(prefix.count) }
        let nibbles = body.utf8.filter { $0 != UInt8(ascii: ":") }.map { byte -> Int in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A") + 10)
            default: -1
            }
        }
        guard !nibbles.isEmpty, !nibbles.contains(-1) else { return nil }
        let padded = nibbles.count % 2 == 1 ? [0] + nibbles : nibbles
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: padded.count, by: 2) { bytes.append(UInt8(padded[index] << 4 | padded[index + 1])) }
        let normalised = X509Bridge.normalisedSerial(bytes)
        return normalised.count <= 20 ? normalised : nil
    }
}
