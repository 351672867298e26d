import Foundation
import GnuTLS
import TLSTestSupport
import Testing

/// The X.509 issuing API of the GnuTLS wrapper, judged by independent tools: `openssl verify`,
/// `openssl req -verify`, `openssl crl`, `certtool --verify` and `certtool --verify-crl`.
@Suite struct X509IssuingTests {
    /// A root, an issuing CA under it, and their keys, made with the API under test.
    struct Hierarchy {
        let root: CertificateIssuer
        let issuing: CertificateIssuer

        init(_ algorithm: SignatureAlgorithm) throws {
            let now = Int(Date().timeIntervalSince1970)
            let rootKey = try PrivateKey.generate(algorithm: algorithm)
            let rootCertificate = try CertificateIssuer.selfSigned(
                CertificateTemplate(
                    subject: DistinguishedName(commonName: "bilet test root CA", organization: "bilet test"),
                    serialNumber: try SerialNumber.random128(), notBefore: now - 60, notAfter: now + 3650 * 86400,
                    isCertificateAuthority: true, pathLength: 1, keyUsage: [.keyCertSign, .crlSign]),
                key: rootKey)
            self.root = try CertificateIssuer(certificate: rootCertificate, privateKey: rootKey)
            let issuingKey = try PrivateKey.generate(algorithm: algorithm)
            let issuingCertificate = try self.root.issue(
                CertificateTemplate(
                    subject: DistinguishedName(commonName: "bilet test issuing CA", organization: "bilet test"),
                    serialNumber: try SerialNumber.random128(), notBefore: now - 60, notAfter: now + 1825 * 86400,
                    isCertificateAuthority: true, pathLength: 0, keyUsage: [.keyCertSign, .crlSign]),
                publicKey: issuingKey.publicKey)
            self.issuing = try CertificateIssuer(certificate: issuingCertificate, privateKey: issuingKey)
        }

        func client(_ uri: String, key: PrivateKey, days: Int = 90, serial: [UInt8]? = nil) throws -> X509Certificate {
            let now = Int(Date().timeIntervalSince1970)
            return try self.issuing.issue(
                CertificateTemplate(
                    subject: DistinguishedName(commonName: uri, organization: "bilet"),
                    serialNumber: try serial ?? SerialNumber.random128(), notBefore: now - 60, notAfter: now + days * 86400,
                    keyUsage: [.digitalSignature], extendedKeyUsage: [KeyPurpose.clientAuth],
                    subjectAlternativeNames: [.uri(uri)]),
                publicKey: key.publicKey)
        }
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-x509-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func anECDSAChainVerifiesWithOpenSSLAndCerttool() async throws {
        let hierarchy = try Hierarchy(.ecdsaP256)
        let leafKey = try PrivateKey.generate(algorithm: .ecdsaP256)
        let leaf = try hierarchy.client("bilet://school/77-1234/ws/3", key: leafKey)
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.write(hierarchy.root.certificate.pemRepresentation, "root.pem", in: directory)
        let issuing = try Self.write(hierarchy.issuing.certificate.pemRepresentation, "issuing.pem", in: directory)
        let leafPath = try Self.write(leaf.pemRepresentation, "leaf.pem", in: directory)
        let chain = try Self.write(leaf.pemRepresentation + hierarchy.issuing.certificate.pemRepresentation, "chain.pem", in: directory)

        let openssl = try await ToolRunner.run(
            "openssl", ["verify", "-CAfile", root, "-untrusted", issuing, "-purpose", "sslclient", leafPath])
        #expect(openssl.status == 0, "\(openssl.stdout)\(openssl.stderr)")
        #expect(openssl.stdout.contains("leaf.pem: OK"))
        let certtool = try await ToolRunner.run("certtool", ["--verify", "--load-ca-certificate", root, "--infile", chain])
        #expect(certtool.status == 0, "\(certtool.stdout)\(certtool.stderr)")
        #expect(certtool.stdout.contains("Chain verification output: Verified."))

        // GnuTLS's own chain validation, as the gateway runs it
        let store = try TrustStore(pemBundle: Array((hierarchy.issuing.certificate.pemRepresentation + hierarchy.root.certificate.pemRepresentation).utf8))
        #expect(store.verify(chain: [leaf], purpose: KeyPurpose.clientAuth).isEmpty)
        #expect(store.verify(chain: [leaf], purpose: KeyPurpose.serverAuth) != [])
    }

    @Test func aGOSTChainVerifiesWithCerttool() async throws {
        let hierarchy = try Hierarchy(.gost256)
        let leafKey = try PrivateKey.generate(algorithm: .gost256)
        let leaf = try hierarchy.client("bilet://school/77-1234/ws/4", key: leafKey)
        #expect(leaf.publicKeyAlgorithmName.contains("GOST"))
        #expect(hierarchy.issuing.certificate.publicKeyAlgorithmName.contains("GOST"))
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = try Self.write(hierarchy.root.certificate.pemRepresentation, "root.pem", in: directory)
        let chain = try Self.write(leaf.pemRepresentation + hierarchy.issuing.certificate.pemRepresentation, "chain.pem", in: directory)
        let certtool = try await ToolRunner.run("certtool", ["--verify", "--load-ca-certificate", root, "--infile", chain])
        #expect(certtool.status == 0, "\(certtool.stdout)\(certtool.stderr)")
        #expect(certtool.stdout.contains("Chain verification output: Verified."))
        let store = try TrustStore(pemBundle: Array(hierarchy.issuing.certificate.pemRepresentation.utf8))
        #expect(store.verify(chain: [leaf], purpose: KeyPurpose.clientAuth).isEmpty)
    }

    @Test func theIssuedCertificateSaysExactlyWhatTheTemplateSays() throws {
        let hierarchy = try Hierarchy(.ecdsaP256)
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        var serial = try SerialNumber.random128()
        serial[0] |= 0x80  // needs a leading zero byte in DER; reads back as the same 16 bytes
        let leaf = try hierarchy.client("bilet://service/assessment", key: key, days: 90, serial: serial)
        #expect(leaf.serialNumber == serial)
        #expect(leaf.serialNumber.count == 16)
        #expect(leaf.subjectAlternativeURIs == ["bilet://service/assessment"])
        #expect(leaf.extendedKeyUsage == [KeyPurpose.clientAuth])
        #expect(leaf.keyUsage == [.digitalSignature])
        #expect(!leaf.isCertificateAuthority)
        #expect(leaf.notAfter - leaf.notBefore == 90 * 86400 + 60)
        #expect(leaf.publicKey == key.publicKey)
        #expect(leaf.rawIssuer == hierarchy.issuing.certificate.rawSubject)
        #expect(leaf.authorityKeyIdentifier == hierarchy.issuing.certificate.subjectKeyIdentifier)
        #expect(leaf.subjectKeyIdentifier?.count == 20)
        #expect(hierarchy.issuing.certificate.isCertificateAuthority)
        #expect(hierarchy.issuing.certificate.pathLength == 0)
        #expect(hierarchy.root.certificate.pathLength == 1)
        #expect(hierarchy.root.certificate.isSelfIssued)
        #expect(hierarchy.root.certificate.keyUsage == [.keyCertSign, .crlSign])
    }

    @Test func serverCertificatesCarryDNSAndIPAddresses() throws {
        let hierarchy = try Hierarchy(.ecdsaP256)
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        let now = Int(Date().timeIntervalSince1970)
        let names: [SubjectAlternativeName] = [.dnsName("gateway.bilet.test"), try #require(.ipAddress("127.0.0.1")), try #require(.ipAddress("::1"))]
        let server = try hierarchy.issuing.issue(
            CertificateTemplate(
                subject: DistinguishedName(commonName: "gateway.bilet.test"), serialNumber: try SerialNumber.random128(),
                notBefore: now, notAfter: now + 86400, keyUsage: [.digitalSignature, .keyEncipherment],
                extendedKeyUsage: [KeyPurpose.serverAuth], subjectAlternativeNames: names),
            publicKey: key.publicKey)
        #expect(server.subjectAlternativeNames == names)
        #expect(server.subjectAlternativeNames.map(\.description) == ["DNS:gateway.bilet.test", "IP:127.0.0.1", "IP:::1"])
        #expect(server.extendedKeyUsage == [KeyPurpose.serverAuth])
    }

    @Test(arguments: [SignatureAlgorithm.ecdsaP256, .gost256, .ed25519])
    func aSigningRequestRoundTripsAndVerifies(algorithm: SignatureAlgorithm) throws {
        let key = try PrivateKey.generate(algorithm: algorithm)
        let request = try CertificateSigningRequest.make(
            key: key, subject: DistinguishedName(commonName: "ws-3"), subjectAlternativeNames: [.uri("bilet://school/77-1234/ws/3")],
            extendedKeyUsage: [KeyPurpose.clientAuth])
        let parsed = try CertificateSigningRequest(pem: request.pemRepresentation)
        #expect(parsed.isSignatureValid)
        #expect(parsed.publicKey == key.publicKey)
        #expect(parsed.publicKey.algorithm == algorithm)
        #expect(parsed.commonName == "ws-3")
        #expect(parsed.subjectAlternativeNames == [.uri("bilet://school/77-1234/ws/3")])
        #expect(parsed.extendedKeyUsage == [KeyPurpose.clientAuth])
        #expect(!parsed.requestsCertificateAuthority)
        #expect(try CertificateSigningRequest(der: parsed.der).der == request.der)
    }

    @Test func openSSLVerifiesTheSigningRequest() async throws {
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        let request = try CertificateSigningRequest.make(
            key: key, subject: DistinguishedName(commonName: "ws-3"), subjectAlternativeNames: [.uri("bilet://school/77-1234/ws/3")],
            requestsCertificateAuthority: true)
        #expect(request.requestsCertificateAuthority)
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.write(request.pemRepresentation, "req.pem", in: directory)
        let result = try await ToolRunner.run("openssl", ["req", "-in", path, "-noout", "-verify", "-text"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect((result.stdout + result.stderr).contains("verify OK") || (result.stdout + result.stderr).contains("Certificate request self-signature verify OK"))
        #expect(result.stdout.contains("URI:bilet://school/77-1234/ws/3"))
        #expect(result.stdout.contains("CA:TRUE"))
    }

    @Test func aTamperedSigningRequestDoesNotVerify() throws {
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        let request = try CertificateSigningRequest.make(
            key: key, subject: DistinguishedName(commonName: "ws-3"), subjectAlternativeNames: [.uri("bilet://school/77-1234/ws/3")])
        // Change one byte of the signed part: the subject name's "3" becomes "4".
        var der = request.der
        let index = try #require(Self.lastIndex(of: Array("ws-3".utf8), in: der))
        der[index + 3] = UInt8(ascii: "4")
        let tampered = try CertificateSigningRequest(der: der)
        #expect(tampered.commonName == "ws-4")
        #expect(!tampered.isSignatureValid)
        #expect(request.isSignatureValid)
    }

    static func lastIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in stride(from: haystack.count - needle.count, through: 0, by: -1) where Array(haystack[start..<(start + needle.count)]) == needle {
            return start
        }
        return nil
    }

    @Test(arguments: ["", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n"])
    func garbageIsNotASigningRequest(text: String) {
        #expect { try CertificateSigningRequest(pem: text) } throws: { ($0 as? CertificateIssuingError)?.code == .malformedRequest }
    }

    @Test(arguments: [SignatureAlgorithm.ecdsaP256, .gost256])
    func aCRLWithReasonsVerifiesAndReadsBack(algorithm: SignatureAlgorithm) async throws {
        let hierarchy = try Hierarchy(algorithm)
        let now = Int(Date().timeIntervalSince1970)
        let first = try SerialNumber.random128()
        let second = try SerialNumber.random128()
        let crl = try hierarchy.issuing.revocationList(
            entries: [
                RevokedCertificateEntry(serialNumber: first, revocationDate: now - 10, reason: .keyCompromise),
                RevokedCertificateEntry(serialNumber: second, revocationDate: now - 5, reason: .unspecified),
            ],
            number: 42, thisUpdate: now, nextUpdate: now + 7 * 86400)
        #expect(Set(try crl.revokedSerialNumbers()) == [first, second])
        #expect(crl.number == 42)
        #expect(crl.nextUpdate == now + 7 * 86400)
        #expect(crl.thisUpdate == now)
        #expect(crl.rawIssuer == hierarchy.issuing.certificate.rawSubject)
        let store = try TrustStore(pemBundle: Array(hierarchy.issuing.certificate.pemRepresentation.utf8))
        #expect(store.isTrustedIssuer(of: crl))
        let other = try Hierarchy(algorithm)
        let otherStore = try TrustStore(pemBundle: Array(other.issuing.certificate.pemRepresentation.utf8))
        #expect(!otherStore.isTrustedIssuer(of: crl))

        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let issuer = try Self.write(hierarchy.issuing.certificate.pemRepresentation, "issuing.pem", in: directory)
        let crlPath = try Self.write(crl.pemRepresentation, "crl.pem", in: directory)
        let certtool = try await ToolRunner.run("certtool", ["--verify-crl", "--load-ca-certificate", issuer, "--infile", crlPath])
        #expect(certtool.status == 0, "\(certtool.stdout)\(certtool.stderr)")
        #expect(certtool.stdout.contains("Verified."))
        if algorithm == .ecdsaP256 {
            let openssl = try await ToolRunner.run("openssl", ["crl", "-in", crlPath, "-CAfile", issuer, "-noout", "-text"])
            #expect(openssl.status == 0, "\(openssl.stderr)")
            #expect(openssl.stderr.contains("verify OK") || openssl.stdout.contains("verify OK"))
            #expect(openssl.stdout.contains("Key Compromise"))
            #expect(openssl.stdout.components(separatedBy: "CRL Reason Code").count == 2, "only the first entry has a reason")
            #expect(openssl.stdout.contains("X509v3 CRL Number: \n                42"))
            #expect(openssl.stdout.contains(SerialNumber.hex(first).uppercased()))
        }
    }

    @Test func anEmptyCRLIsValid() throws {
        let hierarchy = try Hierarchy(.ecdsaP256)
        let now = Int(Date().timeIntervalSince1970)
        let crl = try hierarchy.issuing.revocationList(entries: [], number: 1, thisUpdate: now, nextUpdate: now + 86400)
        #expect(try crl.revokedSerialNumbers().isEmpty)
        #expect(crl.revokedCount == 0)
        let store = try TrustStore(pemBundle: Array(hierarchy.issuing.certificate.pemRepresentation.utf8))
        #expect(store.isTrustedIssuer(of: crl))
        #expect(try CertificateRevocationList.list(pem: Array(crl.pemRepresentation.utf8)).count == 1)
    }

    @Test func inconsistentTemplatesAndMismatchedIssuersAreRefused() throws {
        let hierarchy = try Hierarchy(.ecdsaP256)
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        let now = Int(Date().timeIntervalSince1970)
        let good = CertificateTemplate(
            subject: DistinguishedName(commonName: "x"), serialNumber: [1], notBefore: now, notAfter: now + 10, keyUsage: [.digitalSignature])
        var backwards = good
        backwards.notAfter = now - 10
        var zeroSerial = good
        zeroSerial.serialNumber = [0, 0]
        var longSerial = good
        longSerial.serialNumber = [UInt8](repeating: 1, count: 21)
        var badURI = good
        badURI.subjectAlternativeNames = [.uri("bilet://school/77 1234/ws/3")]
        var pastIssuer = good
        pastIssuer.notAfter = hierarchy.issuing.certificate.notAfter + 1
        for template in [backwards, zeroSerial, longSerial, badURI, pastIssuer] {
            #expect(throws: CertificateIssuingError(.invalidTemplate)) { try hierarchy.issuing.issue(template, publicKey: key.publicKey) }
        }
        #expect(throws: CertificateIssuingError(.issuerMismatch)) {
            try CertificateIssuer(certificate: hierarchy.issuing.certificate, privateKey: key)
        }
        let leaf = try hierarchy.client("bilet://school/77-1234/ws/3", key: key)
        #expect(throws: CertificateIssuingError(.issuerMismatch)) { try CertificateIssuer(certificate: leaf, privateKey: key) }
    }

    @Test func serialsAreRandom128BitPositiveIntegers() throws {
        var seen = Set<[UInt8]>()
        for _ in 0..<200 {
            let serial = try SerialNumber.random128()
            #expect(serial.count == 16 && serial[0] != 0)
            seen.insert(serial)
        }
        #expect(seen.count == 200)
        #expect(SerialNumber.hex([0x00, 0x0a, 0xff]) == "0aff")
        #expect(SerialNumber.parse("serial:0A:FF") == [0x0a, 0xff])
        #expect(SerialNumber.parse("abc") == [0x0a, 0xbc])
        #expect(SerialNumber.parse("xyz") == nil)
        #expect(RevocationReason(name: "key_compromise") == .keyCompromise)
        #expect(RevocationReason(name: "keyCompromise") == .keyCompromise)
        #expect(RevocationReason(name: "bogus") == nil)
    }
}
