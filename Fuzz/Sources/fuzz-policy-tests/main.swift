// Policy test files (`policies/tests/*.test`): cases, fixtures and relationships.
import FuzzSupport
import Policy

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: fuzzBytes(data, size), as: UTF8.self)
    _ = try? PolicyTestSuite.parse([SourceFile(path: "tests/fuzz.test", text: text)])
    return 0
}

runFuzzer(fuzzOne)
