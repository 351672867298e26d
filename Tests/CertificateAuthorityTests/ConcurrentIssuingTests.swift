import Foundation
import GnuTLS
import Testing

/// One issuing CA signs from many tasks at once (the renewal route does): every certificate is
/// whole, verifies, and matches its key in GnuTLS's own key-pair check.
@Suite struct ConcurrentIssuingTests {
    static func check(_ issuer: CertificateIssuer, _ algorithm: SignatureAlgorithm, rounds: Int) throws -> [String] {
        let now = Int(Date().timeIntervalSince1970)
        var failures: [String] = []
        for index in 0..<rounds {
            let key = try PrivateKey.generate(algorithm: algorithm)
            let pem = try key.exportPEM()
            let cert = try issuer.issue(
                CertificateTemplate(subject: DistinguishedName(commonName: "s"), serialNumber: try SerialNumber.random128(), notBefore: now - 10,
                                    notAfter: now + 3600, keyUsage: [.digitalSignature, .keyEncipherment], extendedKeyUsage: [KeyPurpose.serverAuth],
                                    subjectAlternativeNames: [.ipAddress("127.0.0.1")!]),
                publicKey: key.publicKey)
            let chain = cert.pemRepresentation + issuer.certificate.pemRepresentation
            do {
                _ = try ServerCredentials(keyPairs: [ServerKeyPair(certificateChainPEM: Array(chain.utf8), privateKeyPEM: Array(pem.utf8))], clientAuthorityNamesPEM: nil)
            } catch {
                failures.append("\(index): \(error)")
            }
            let store = try TrustStore(pemBundle: Array(issuer.certificate.pemRepresentation.utf8))
            let status = store.verify(chain: [cert], purpose: KeyPurpose.serverAuth)
            if !status.isEmpty { failures.append("\(index): verify status \(status.rawValue)") }
        }
        return failures
    }

    static func issuer(_ algorithm: SignatureAlgorithm) throws -> CertificateIssuer {
        let now = Int(Date().timeIntervalSince1970)
        let caKey = try PrivateKey.generate(algorithm: algorithm)
        let caCert = try CertificateIssuer.selfSigned(
            CertificateTemplate(subject: DistinguishedName(commonName: "ca", organization: "o", organizationalUnit: "u"), serialNumber: [1], notBefore: now - 10, notAfter: now + 86400,
                                isCertificateAuthority: true, pathLength: 0, keyUsage: [.keyCertSign, .crlSign]), key: caKey)
        return try CertificateIssuer(certificate: caCert, privateKey: caKey)
    }

    @Test(arguments: [SignatureAlgorithm.ecdsaP256, .gost256])
    func sharedIssuerUnderConcurrency(algorithm: SignatureAlgorithm) async throws {
        let issuer = try Self.issuer(algorithm)
        let failures = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { try Self.check(issuer, algorithm, rounds: 25) } }
            var all: [String] = []
            for try await part in group { all += part }
            return all
        }
        #expect(failures.isEmpty, "\(failures.count): \(failures.prefix(5))")
    }

}
