/// The parts of a submitted `multipart/form-data` body (RFC 7578): each part's field name, file
/// name if any, and bytes. Only what a browser's form sends is read: `Content-Disposition:
/// form-data; name="…"` with an optional `filename`, and any other header ignored. A body that is
/// not such a form is `nil`; at most ``maximumParts`` parts.
public struct MultipartForm: Sendable, Hashable {
    /// One part.
    public struct Part: Sendable, Hashable {
        public let name: String
        public let filename: String?
        public let content: [UInt8]
    }

    /// The most parts read.
    public static let maximumParts = 16

    public let parts: [Part]

    /// The boundary of a `Content-Type: multipart/form-data; boundary=…` value; `nil` for any other type.
    public static func boundary(contentType: String) -> String? {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard pieces.first?.lowercased() == "multipart/form-data" else { return nil }
        for piece in pieces.dropFirst() where piece.lowercased().hasPrefix("boundary=") {
            var value = String(piece.dropFirst("boundary=".count))
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.count) ? value : nil
        }
        return nil
    }

    /// The parts of `body` separated by `boundary`. The body starts with the first delimiter (a
    /// browser sends no preamble); every later delimiter follows a CRLF, which the search looks for
    /// first, so a body made to look like the boundary costs a linear scan, not one compare of the
    /// whole delimiter per byte.
    public init?(body: [UInt8], boundary: String) {
        let dashBoundary = Array("--\(boundary)".utf8)
        guard body.starts(with: dashBoundary) else { return nil }
        let delimiter: [UInt8] = [13, 10] + dashBoundary
        var parts: [Part] = []
        var starts: [Int] = [0]  // where each delimiter's "--" begins
        var index = dashBoundary.count
        while let found = Self.find(delimiter, in: body[...], from: index) {
            starts.append(found + 2)
            guard starts.count <= Self.maximumParts + 1 else { return nil }
            index = found + delimiter.count
        }
        guard starts.count >= 2 else { return nil }
        for (start, end) in zip(starts, starts.dropFirst()) {
            var from = start + dashBoundary.count
            guard body[from...].starts(with: [13, 10]) else { return nil }
            from += 2
            // the part ends with the CRLF before the next delimiter
            guard end - 2 >= from else { return nil }
            let part = body[from..<(end - 2)]
            guard let split = Self.find([13, 10, 13, 10], in: part, from: part.startIndex) else { return nil }
            let head = String(decoding: part[part.startIndex..<split], as: UTF8.self)
            let content = Array(part[(split + 4)...])
            guard let (name, filename) = Self.disposition(head) else { return nil }
            parts.append(Part(name: name, filename: filename, content: content))
        }
        let last = starts[starts.count - 1] + dashBoundary.count
        guard body[last...].starts(with: Array("--".utf8)) else { return nil }
        self.parts = parts
    }

    /// The first part named `name`.
    public func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    /// The text of the first part named `name` (a plain field).
    public subscript(_ name: String) -> String? { part(name).map { String(decoding: $0.content, as: UTF8.self) } }

    static func disposition(_ head: String) -> (String, String?)? {
        for line in head.split(separator: "\r\n") {
            let lower = line.lowercased()
            guard lower.hasPrefix("content-disposition:") else { continue }
            let parameters = line.dropFirst("content-disposition:".count).split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parameters.first?.lowercased() == "form-data" else { return nil }
            var name: String?
            var filename: String?
            for parameter in parameters.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { continue }
                var value = pair[1]
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
                switch pair[0].lowercased() {
                case "name": name = value
                case "filename": filename = value
                default: break
                }
            }
            return name.map { ($0, filename) }
        }
        return nil
    }

    /// The index in `haystack` where `needle` first occurs at or after `start`. A plain scan over
    /// the bytes' storage: a file of millions of CRs (each the delimiter's first byte) costs one
    /// compare of the next byte each, without a slice per candidate.
    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>, from start: Int) -> Int? {
        guard !needle.isEmpty, start >= haystack.startIndex, haystack.endIndex - needle.count >= start else { return nil }
        return haystack.withUnsafeBufferPointer { bytes in
            needle.withUnsafeBufferPointer { wanted in
                let base = haystack.startIndex
                let last = bytes.count - wanted.count
                var offset = start - base
                while offset <= last {
                    var matched = 0
                    while matched < wanted.count, bytes[offset + matched] == wanted[matched] { matched += 1 }
                    if matched == wanted.count { return base + offset }
                    offset += 1
                }
                return nil
            }
        }
    }
}
