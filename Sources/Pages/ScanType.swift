/// The media type of a consent scan named from its first bytes, as a browser's file form does not
/// say it reliably: PDF, JPEG or PNG; `nil` for anything else. The vault checks the bytes again.
public enum ScanType {
    public static func named(by bytes: [UInt8]) -> String? {
        if bytes.starts(with: Array("%PDF-".utf8)) { return "application/pdf" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        return nil
    }
}
