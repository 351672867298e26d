import CertificateAuthority
import Foundation
import GnuTLS
import Identity
import Testing

/// Keys are written 0600, never overwritten by accident, and refused when others can read them.
@Suite struct KeyFileTests {
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func aRequestWritesItsKeyWithMode0600AndNeverOverwritesOne() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let key = directory.appendingPathComponent("ws.key").path
        let csr = directory.appendingPathComponent("ws.csr").path
        let made = try CertificateRequester.request(
            identity: try IdentityURI.parse("bilet://school/77-1234/ws/3"), keyPath: key, requestPath: csr)
        #expect(try Self.mode(key) == 0o600)
        #expect(try Self.mode(csr) == 0o644)
        let reloaded = try PrivateKey(pemRepresentation: String(decoding: try ProtectedFile.readSecret(key), as: UTF8.self))
        #expect(reloaded.publicKey == made.key.publicKey)
        let request = try CertificateSigningRequest(pem: String(decoding: try ProtectedFile.readPublic(csr), as: UTF8.self))
        #expect(request.publicKey == made.key.publicKey)
        #expect(request.isSignatureValid)
        let error = #expect(throws: CertificateAuthorityError.self) {
            try CertificateRequester.request(identity: try IdentityURI.parse("bilet://school/77-1234/ws/3"), keyPath: key)
        }
        #expect(error?.code == .fileExists)
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660, 0o666])
    func aKeyFileReadableByOthersIsRefused(mode: Int) throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = AuthorityDirectory(path: directory.appendingPathComponent("ca").path)
        try authority.initialise(.ecdsa, rootPassphrase: try Passphrase("root passphrase 123"), issuingPassphrase: try Passphrase("issuing passphrase 456"), now: Int(Date().timeIntervalSince1970))
        let keyPath = authority.files(.ecdsa).issuingKey
        #expect(try Self.mode(keyPath) == 0o600)
        #expect(try Self.mode(authority.files(.ecdsa).rootKey) == 0o600)
        _ = try authority.issuingAuthority(.ecdsa, passphrase: try Passphrase("issuing passphrase 456"))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: keyPath)
        let error = #expect(throws: CertificateAuthorityError.self) {
            try authority.issuingAuthority(.ecdsa, passphrase: try Passphrase("issuing passphrase 456"))
        }
        #expect(error?.code == .keyFileExposed)

        let passphraseFile = directory.appendingPathComponent("pass").path
        try Passphrase("issuing passphrase 456").write(to: passphraseFile)
        _ = try Passphrase.file(passphraseFile)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: passphraseFile)
        let exposed = #expect(throws: CertificateAuthorityError.self) { try Passphrase.file(passphraseFile) }
        #expect(exposed?.code == .keyFileExposed)
    }

    @Test func theCAKeysAreEncryptedAndAWrongPassphraseIsRefused() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: directory) }
        let authority = AuthorityDirectory(path: directory.appendingPathComponent("ca").path)
        try authority.initialise(.gost, rootPassphrase: try Passphrase("root passphrase 123"), issuingPassphrase: try Passphrase("issuing passphrase 456"), now: Int(Date().timeIntervalSince1970))
        for path in [authority.files(.gost).rootKey, authority.files(.gost).issuingKey] {
            let text = String(decoding: try ProtectedFile.readSecret(path), as: UTF8.self)
            #expect(text.hasPrefix("-----BEGIN ENCRYPTED " + "PRIVATE KEY-----"))
        }
        let wrong = #expect(throws: CertificateAuthorityError.self) {
            try authority.issuingAuthority(.gost, passphrase: try Passphrase("root passphrase 123"))
        }
        #expect(wrong?.code == .wrongPassphrase)
        let root = try authority.rootAuthority(.gost, passphrase: try Passphrase("root passphrase 123"))
        #expect(root.certificate.isSelfIssued)
        #expect(root.certificate.publicKeyAlgorithmName.contains("GOST"))
        let again = #expect(throws: CertificateAuthorityError.self) {
            try authority.initialise(.gost, rootPassphrase: try Passphrase("root passphrase 123"), issuingPassphrase: try Passphrase("issuing passphrase 456"), now: 0)
        }
        #expect(again?.code == .alreadyInitialised)
        let same = #expect(throws: CertificateAuthorityError.self) {
            try authority.initialise(.ecdsa, rootPassphrase: try Passphrase("same passphrase 1"), issuingPassphrase: try Passphrase("same passphrase 1"), now: 0)
        }
        #expect(same?.code == .invalidArgument)
        #expect(throws: CertificateAuthorityError.self) { try Passphrase("short") }
    }
}
