@testable import Audit
import Foundation
import GnuTLS
import Testing

/// The checkpoint files a sequencer could not write yet (the directory's disk full): written in
/// order, a written file finishes it and every older one, the newest is never given up.
@Suite struct UnwrittenCheckpointFilesTests {
    static func signed(_ sequence: UInt64, _ signer: NoteSigner) throws -> SignedCheckpoint {
        let root = MerkleHasher.leafHash(Array("root \(sequence)".utf8))
        let checkpoint = try Checkpoint(
            origin: "bilet.test/audit", size: sequence, root: root, sequence: sequence, time: Date(timeIntervalSince1970: 1_764_399_121))
        return try SignedCheckpoint(checkpoint, signer: signer)
    }

    @Test func aWrittenFileFinishesItAndEveryOlderOne() throws {
        let signer = try NoteSigner(name: "bilet.test/audit", privateKey: PrivateKey.generate(algorithm: .ed25519), type: .ed25519)
        var files = UnwrittenCheckpointFiles()
        for sequence in 1...5 { files.append(try Self.signed(UInt64(sequence), signer)) }
        #expect(files.oldest(keepingHistory: true)?.checkpoint.sequence == 1)
        #expect(files.oldest(keepingHistory: false)?.checkpoint.sequence == 5)
        files.written(try Self.signed(3, signer))
        #expect(files.oldest(keepingHistory: true)?.checkpoint.sequence == 4)
        #expect(files.newest == 5)
        files.written(try Self.signed(5, signer))
        #expect(files.newest == nil)
        #expect(files.oldest(keepingHistory: true) == nil)
    }
}
