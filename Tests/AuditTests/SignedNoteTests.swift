import Audit
import Foundation
import GnuTLS
import Testing

/// Signed notes and checkpoints against the reference example of Go's
/// `golang.org/x/mod/sumdb/note` (the format transparency-log verifiers read), and tampering.
@Suite("Signed notes and checkpoints")
struct SignedNoteTests {
    // The reference key pair and note from golang.org/x/mod/sumdb/note's tests and documentation.
    static let referenceVKey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let referenceSKeyMaterial = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let referenceText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let referenceSignatureLine = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    /// The reference Ed25519 private key as PKCS#8 (RFC 8410) so GnuTLS can import it.
    static func referencePrivateKey() throws -> PrivateKey {
        let material = try #require(Data(base64Encoded: referenceSKeyMaterial).map(Array.init))
        #expect(material.first == 0x01)
        let seed = Array(material.dropFirst())
        let pkcs8: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + seed
        return try PrivateKey(derRepresentation: pkcs8)
    }

    @Test("Key ID, verifier key and signature match the Go reference byte for byte")
    func goReference() throws {
        let signer = try NoteSigner(name: "PeterNeumann", privateKey: try Self.referencePrivateKey())
        #expect(signer.verifier.vkey == Self.referenceVKey)
        #expect(signer.verifier.keyID == 0xC74F_20A3)
        let signature = try signer.sign(text: Self.referenceText)
        #expect(signature.line == Self.referenceSignatureLine)

        let parsed = try SignedNote(parsing: Self.referenceText + "\n" + Self.referenceSignatureLine)
        #expect(parsed.text == Self.referenceText)
        let key = try NoteVerifierKey(vkey: Self.referenceVKey)
        #expect(try parsed.verified(by: [key]) == [key])
        #expect(parsed.serialized == Self.referenceText + "\n" + Self.referenceSignatureLine)
    }

    @Test("A changed character in the text fails; unknown keys are ignored; no known key fails")
    func tamperedNote() throws {
        let key = try NoteVerifierKey(vkey: Self.referenceVKey)
        let tampered = try SignedNote(parsing: Self.referenceText.replacingOccurrences(of: "cryptography", with: "cryptographY") + "\n" + Self.referenceSignatureLine)
        #expect { try tampered.verified(by: [key]) } throws: { ($0 as? AuditError)?.code == .signatureInvalid }

        let other = try NoteSigner(name: "PeterNeumann", privateKey: try PrivateKey.generate(algorithm: .ed25519))
        let note = try SignedNote(parsing: Self.referenceText + "\n" + Self.referenceSignatureLine)
        #expect { try note.verified(by: [other.verifier]) } throws: { ($0 as? AuditError)?.code == .signatureInvalid }
    }

    @Test("Malformed notes are refused", arguments: [
        "no blank line\n\u{2014} a AAAAAAA=\n",
        "text\n\n",
        "text\n\n\u{2014} name\n",
        "text\n\n- name AAAAAAAA\n",
        "text\n\n\u{2014} na+me AAAAAAAA\n",
        "te\u{07}xt\n\n\u{2014} name AAAAAAAA\n",
        "text\n\n\u{2014} name AAAAAAAA",
        "text\n\n\u{2014} name AAA=\n",
    ])
    func malformed(note: String) {
        #expect { try SignedNote(parsing: note) } throws: { ($0 as? AuditError)?.code == .malformedNote }
    }

    @Test("Malformed verifier keys are refused", arguments: [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+AhpjZHcFDw4TEHoMMW8OEqogX7FZJqqvywxOIs1stdE1",
        "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",
    ])
    func malformedKeys(vkey: String) {
        #expect { try NoteVerifierKey(vkey: vkey) } throws: { ($0 as? AuditError)?.code == .malformedKey }
    }

    @Test("Checkpoints sign and verify with Ed25519 and GOST", arguments: [NoteSignatureType.ed25519, .gost256])
    func checkpointRoundTrip(type: NoteSignatureType) throws {
        let key = try PrivateKey.generate(algorithm: type.keyAlgorithm)
        let signer = try NoteSigner(name: "bilet.test/audit", privateKey: key, type: type)
        let root = MerkleHasher.leafHash(Array("root".utf8))
        let checkpoint = try Checkpoint(origin: "bilet.test/audit", size: 20_852_163, root: root, sequence: 7, time: Date(timeIntervalSince1970: 1_764_399_121.123))
        #expect(checkpoint.text == "bilet.test/audit\n20852163\n\(root.base64)\nsequence 7\ntime-ms 1764399121123\n")
        let signed = try SignedCheckpoint(checkpoint, signer: signer)
        let parsed = try SignedCheckpoint(parsing: signed.serialized)
        #expect(parsed.checkpoint == checkpoint)
        try parsed.verify(logKey: try NoteVerifierKey(vkey: signer.verifier.vkey))

        let forged = signed.serialized.replacingOccurrences(of: "\n20852163\n", with: "\n20852162\n")
        #expect { try SignedCheckpoint(parsing: forged).verify(logKey: signer.verifier) } throws: { ($0 as? AuditError)?.code == .signatureInvalid }
    }

    @Test("An outside witness cosigns (timestamped Ed25519) and the cosignature is required when named")
    func witnessCosignature() throws {
        let log = try NoteSigner(name: "bilet.test/audit", privateKey: try PrivateKey.generate(algorithm: .ed25519))
        let witness = try NoteSigner(name: "witness.example/w1", privateKey: try PrivateKey.generate(algorithm: .ed25519), type: .ed25519Cosignature)
        let checkpoint = try Checkpoint(origin: "bilet.test/audit", size: 3, root: MerkleHasher.emptyRoot, sequence: 1, time: Date())
        var signed = try SignedCheckpoint(checkpoint, signer: log)
        #expect { try signed.verify(logKey: log.verifier, witnesses: [witness.verifier]) } throws: { ($0 as? AuditError)?.code == .signatureInvalid }
        signed.add(try witness.sign(text: checkpoint.text, timestamp: 1_679_315_147))
        let parsed = try SignedCheckpoint(parsing: signed.serialized)
        try parsed.verify(logKey: log.verifier, witnesses: [witness.verifier])
        #expect(parsed.note.signatures.last?.cosignatureTimestamp == 1_679_315_147)
        #expect(witness.verifier.vkey.hasPrefix("witness.example/w1+"))
        #expect(try NoteVerifierKey(vkey: witness.verifier.vkey) == witness.verifier)
    }

    @Test("Checkpoints of other logs (no extension lines) parse; bad size or root is refused")
    func foreignCheckpoints() throws {
        let plain = try Checkpoint(text: "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n")
        #expect(plain.size == 20_852_163)
        #expect(plain.sequence == nil)
        for bad in ["o\n012\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "o\n12\nCsUYapGG\n", "o\n12\n", "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"] {
            #expect { try Checkpoint(text: bad) } throws: { ($0 as? AuditError)?.code == .malformedCheckpoint }
        }
    }
}
