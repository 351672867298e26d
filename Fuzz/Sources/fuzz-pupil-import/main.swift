// A pupil import file (CSV) as the gateway checks it before anything reaches the vault.
import FuzzSupport
import PupilImport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = PupilImportFile.check(fuzzBytes(data, size), today: "2026-12-07")
    return 0
}

runFuzzer(fuzzOne)
