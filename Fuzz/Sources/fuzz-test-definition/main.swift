// A test definition (JSON) as a methodologist uploads it: decoded and validated.
import Assessment
import Foundation
import FuzzSupport

let validator = DefinitionValidator()

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = validator.validate(json: Data(fuzzBytes(data, size)))
    return 0
}

runFuzzer(fuzzOne)
