#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Salt bytes straight from the kernel, so this target needs no TLS library.
///
/// `getentropy(3)` is glibc's wrapper over the `getrandom(2)` system call (the kernel's
/// `/dev/urandom` pool, blocking only until that pool is first initialised); `getrandom`
/// itself is declared in `<sys/random.h>`, which Swift's Glibc module does not import.
/// One call returns at most 256 bytes.
enum SystemRandom {
    static func bytes(count: Int) throws(Argon2Error) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let failed = bytes.withUnsafeMutableBytes { buffer -> Bool in
            var filled = 0
            while filled < buffer.count {
                let chunk = min(256, buffer.count - filled)
                guard getentropy(buffer.baseAddress! + filled, chunk) == 0 else { return true }
                filled += chunk
            }
            return false
        }
        if failed { throw Argon2Error(.randomGenerationFailed) }
        return bytes
    }
}
