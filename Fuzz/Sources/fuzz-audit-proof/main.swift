// What `bilet audit verify-proof` reads: a gap proof or a proof bundle (JSON) verified against the
// log's key, a signed checkpoint note, and a verifier key (vkey) line.
import Audit
import FuzzSupport

/// The signed-note specification's example key: verification runs up to the signature check.
let logKey = try! NoteVerifierKey(vkey: "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    if let gaps = try? GapProof(json: text) { _ = try? gaps.verify(logKey: logKey, witnesses: [logKey]) }
    if let bundle = try? ProofBundle(json: text) { _ = try? bundle.verify(logKey: logKey, witnesses: [logKey]) }
    _ = try? SignedCheckpoint(parsing: text)
    _ = try? NoteVerifierKey(vkey: text)
    return 0
}

runFuzzer(fuzzOne)
