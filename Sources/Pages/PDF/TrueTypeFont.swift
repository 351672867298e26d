import Foundation

/// A TrueType font read for embedding in a PDF (``PDFTextDocument``): what a PDF needs of it (the
/// glyph of a character from the Unicode `cmap`, each glyph's advance width, the metrics of the
/// font descriptor) and its bytes, embedded whole (no subsetting).
///
/// Reads the `head`, `hhea`, `hmtx`, `maxp`, `cmap` (platform 3, encoding 1, format 4: the Basic
/// Multilingual Plane, which holds Cyrillic), `OS/2` and `post` tables; anything it cannot read is
/// ``PagesError/Code/fontInvalid``.
public struct TrueTypeFont: Sendable {
    /// The font file, as embedded (`FontFile2`).
    public let bytes: [UInt8]
    /// The PostScript-safe name the PDF gives it (`/BaseFont`).
    public let name: String
    /// Font units per em (`head`).
    let unitsPerEm: Int
    /// The bounding box of all glyphs, in font units (`head`).
    let boundingBox: (Int, Int, Int, Int)
    let ascender: Int
    let descender: Int
    let capHeight: Int
    let italicAngle: Double
    /// Advance widths by glyph, in font units (`hmtx`; the last one repeats).
    let advances: [Int]
    /// The glyph of each BMP character the `cmap` maps.
    let glyphs: [UInt16: UInt16]

    /// The font at `path` (Debian's `fonts-dejavu-core`: `/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf`).
    public static func load(path: String) throws(PagesError) -> TrueTypeFont {
        guard let data = FileManager.default.contents(atPath: path) else { throw PagesError(.fontInvalid, "font file missing") }
        let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        return try TrueTypeFont(bytes: Array(data), name: base)
    }

    /// Reads `bytes` as a TrueType font named `name` in the PDF (letters, digits and `-` kept).
    public init(bytes: [UInt8], name: String) throws(PagesError) {
        let reader = Reader(bytes: bytes)
        var tables: [String: (offset: Int, length: Int)] = [:]
        let count = try reader.u16(4)
        for index in 0..<count {
            let record = 12 + index * 16
            let tag = String(decoding: try reader.slice(record, 4), as: UTF8.self)
            tables[tag] = (try reader.u32(record + 8), try reader.u32(record + 12))
        }
        func table(_ tag: String) throws(PagesError) -> Int {
            guard let found = tables[tag], found.offset + found.length <= bytes.count else {
                throw PagesError(.fontInvalid, "no \(tag) table")
            }
            return found.offset
        }
        let head = try table("head"), hhea = try table("hhea"), hmtx = try table("hmtx"), maxp = try table("maxp")
        let cmap = try table("cmap")
        unitsPerEm = try reader.u16(head + 18)
        guard unitsPerEm > 0 else { throw PagesError(.fontInvalid, "units per em") }
        boundingBox = (try reader.i16(head + 36), try reader.i16(head + 38), try reader.i16(head + 40), try reader.i16(head + 42))
        ascender = try reader.i16(hhea + 4)
        descender = try reader.i16(hhea + 6)
        let metrics = try reader.u16(hhea + 34)
        let glyphCount = try reader.u16(maxp + 4)
        guard metrics > 0 else { throw PagesError(.fontInvalid, "no horizontal metrics") }
        var advances: [Int] = []
        for glyph in 0..<max(metrics, glyphCount) {
            advances.append(glyph < metrics ? try reader.u16(hmtx + glyph * 4) : advances[metrics - 1])
        }
        self.advances = advances
        if let os2 = tables["OS/2"], try reader.u16(os2.offset) >= 2 {
            capHeight = try reader.i16(os2.offset + 88)
        } else {
            capHeight = ascender
        }
        italicAngle = tables["post"].map { post in
            ((try? reader.i16(post.offset + 4)).map(Double.init) ?? 0) + Double((try? reader.u16(post.offset + 6)) ?? 0) / 65_536
        } ?? 0
        glyphs = try Self.unicodeGlyphs(reader, cmap: cmap)
        self.bytes = bytes
        let kept = name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        self.name = kept.isEmpty ? "Embedded" : kept
    }

    /// The glyph of `scalar`; 0 (`.notdef`) when the font has none.
    public func glyph(for scalar: Unicode.Scalar) -> UInt16 {
        scalar.value <= 0xFFFF ? glyphs[UInt16(scalar.value)] ?? 0 : 0
    }

    /// The advance width of `glyph` in thousandths of the font size (PDF text space).
    public func width(of glyph: UInt16) -> Int {
        Int(glyph) < advances.count ? scaled(advances[Int(glyph)]) : 0
    }

    /// The width of `text` set at `size` points.
    public func width(of text: String, size: Double) -> Double {
        Double(text.unicodeScalars.reduce(0) { $0 + width(of: glyph(for: $1)) }) * size / 1000
    }

    /// `value` in font units as thousandths of the em.
    func scaled(_ value: Int) -> Int {
        value * 1000 / unitsPerEm
    }

    /// The `cmap` subtable for Unicode BMP (platform 3, encoding 1, format 4), read whole.
    private static func unicodeGlyphs(_ reader: Reader, cmap: Int) throws(PagesError) -> [UInt16: UInt16] {
        var subtable: Int?
        for index in 0..<(try reader.u16(cmap + 2)) {
            let record = cmap + 4 + index * 8
            if try reader.u16(record) == 3, try reader.u16(record + 2) == 1 { subtable = cmap + (try reader.u32(record + 4)) }
        }
        guard let start = subtable, try reader.u16(start) == 4 else { throw PagesError(.fontInvalid, "no Unicode BMP cmap (3, 1, format 4)") }
        let segments = try reader.u16(start + 6) / 2
        let ends = start + 14, starts = ends + segments * 2 + 2, deltas = starts + segments * 2, ranges = deltas + segments * 2
        var glyphs: [UInt16: UInt16] = [:]
        for segment in 0..<segments {
            let first = try reader.u16(starts + segment * 2), last = try reader.u16(ends + segment * 2)
            let delta = try reader.u16(deltas + segment * 2)
            let rangeAt = ranges + segment * 2
            let range = try reader.u16(rangeAt)
            guard first <= last, last != 0xFFFF || first != 0xFFFF else { continue }
            for code in first...min(last, 0xFFFE) {
                var glyph: Int
                if range == 0 {
                    glyph = (code + delta) & 0xFFFF
                } else {
                    glyph = try reader.u16(rangeAt + range + (code - first) * 2)
                    if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                }
                if glyph != 0 { glyphs[UInt16(code)] = UInt16(glyph) }
            }
        }
        return glyphs
    }

    /// Big-endian reads with bounds checks.
    private struct Reader {
        let bytes: [UInt8]

        func slice(_ offset: Int, _ count: Int) throws(PagesError) -> ArraySlice<UInt8> {
            guard offset >= 0, offset + count <= bytes.count else { throw PagesError(.fontInvalid, "truncated") }
            return bytes[offset..<(offset + count)]
        }

        func u16(_ offset: Int) throws(PagesError) -> Int {
            let part = try slice(offset, 2)
            return Int(part[part.startIndex]) << 8 | Int(part[part.startIndex + 1])
        }

        func i16(_ offset: Int) throws(PagesError) -> Int {
            let value = try u16(offset)
            return value >= 0x8000 ? value - 0x10000 : value
        }

        func u32(_ offset: Int) throws(PagesError) -> Int {
            try u16(offset) << 16 | u16(offset + 2)
        }
    }
}
