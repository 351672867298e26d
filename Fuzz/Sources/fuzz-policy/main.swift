// Policy files: the input compiled as a `.policy` file against the repository's schema, and as a
// `.schema` file under a fixed rule (both parsers, the type checker and the compiler).
import Foundation
import FuzzSupport
import Policy

/// The repository's schema (run from the repository's root, as `scripts/fuzz` does).
let schema = (try? String(contentsOfFile: "policies/bilet.schema", encoding: .utf8)) ?? ""
let rule = "@id(\"fuzz\")\npermit (principal, action, resource);\n"

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    _ = try? PolicySet.compile(
        [SourceFile(path: "bilet.schema", text: schema), SourceFile(path: "fuzz.policy", text: text)],
        hasher: SHA256VersionHasher())
    _ = try? PolicySet.compile(
        [SourceFile(path: "fuzz.schema", text: text), SourceFile(path: "fuzz.policy", text: rule)],
        hasher: SHA256VersionHasher())
    return 0
}

if schema.isEmpty {
    FileHandle.standardError.write(Data("fuzz-policy: run from the repository's root (policies/bilet.schema)\n".utf8))
    exit(2)
}
runFuzzer(fuzzOne)
