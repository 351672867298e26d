import Foundation
import GnuTLS

/// Checks a consent scan before it is sealed: the declared type, the file's own signature, and
/// the size limit. The content is never echoed in an error.
enum ScanCheck {
    /// SHA-256 of a scan's bytes, as stored at upload and checked at download.
    static func sha256(of content: [UInt8]) throws(VaultError) -> [UInt8] {
        do {
            return try Digest.hash(.sha256, of: content)
        } catch {
            throw VaultError(.crypto, reason: "hashing the scan failed (\(error.code.rawValue))")
        }
    }

    static func check(_ scan: ConsentScan, maximumByteCount: Int) throws(VaultError) {
        let bytes = scan.content
        guard !bytes.isEmpty, bytes.count <= maximumByteCount else {
            throw VaultError(.documentRejected, reason: "the scan is empty or larger than \(maximumByteCount) bytes")
        }
        switch scan.mediaType {
        case .pdf:
            let header = Array("%PDF-".utf8)
            let trailer = Array("%%EOF".utf8)
            let tail = Array(bytes.suffix(1_024))
            guard bytes.starts(with: header), contains(tail, trailer) else {
                throw VaultError(.documentRejected, reason: "declared application/pdf but is not a PDF file")
            }
        case .jpeg:
            guard bytes.count >= 4, bytes.starts(with: [0xFF, 0xD8, 0xFF]), bytes.suffix(2).elementsEqual([0xFF, 0xD9]) else {
                throw VaultError(.documentRejected, reason: "declared image/jpeg but is not a JPEG file")
            }
        case .png:
            // The PNG signature, and the IEND chunk (length 0, type, CRC) as the last 12 bytes.
            let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            let end: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            guard bytes.count >= signature.count + end.count, bytes.starts(with: signature), bytes.suffix(12).elementsEqual(end) else {
                throw VaultError(.documentRejected, reason: "declared image/png but is not a PNG file")
            }
        }
        guard scan.originalLocation.exposedText.utf8.count <= FieldRules.maximumByteCount,
              !scan.originalLocation.exposedText.trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw VaultError(.documentRejected, reason: "where the original is kept must be stated (up to 1 KiB)")
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return true
        }
        return false
    }
}
