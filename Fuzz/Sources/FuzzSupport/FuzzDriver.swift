#if canImport(Glibc)
import Glibc
#endif

/// libFuzzer's entry point for a program that has its own `main` (compiler-rt's FuzzerDriver).
@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// Runs libFuzzer over `test` with the process's arguments (`-max_total_time=…`, corpus
/// directories, `-runs=…`), then exits with libFuzzer's status.
///
/// An executable target built by SwiftPM has its own entry point (the module's top-level code,
/// linked as `main`), so libFuzzer's `main` never runs: each fuzz target's `main.swift` calls this.
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}

/// The input's bytes (libFuzzer may pass a null pointer for the empty input).
public func fuzzBytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}
