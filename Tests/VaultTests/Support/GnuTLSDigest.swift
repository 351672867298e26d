import GnuTLS

enum GnuTLSDigest {
    static func sha256(_ bytes: [UInt8]) throws -> [UInt8] {
        try Digest.hash(.sha256, of: bytes)
    }
}
