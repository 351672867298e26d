import Foundation

/// A minimal PDF 1.7 writer for text documents: A4 pages of left-aligned lines in one embedded
/// TrueType font (``TrueTypeFont``), wrapped at the margins, a new page when one is full.
///
/// The font is a `Type0` font with `Identity-H` encoding over a `CIDFontType2` descendant
/// (`CIDToGIDMap /Identity`, the widths of the glyphs used), the font file embedded whole as
/// `FontFile2`, and a `ToUnicode` CMap of every glyph used, so the text is extractable and
/// searchable (`pdftotext` gives back the Russian text). Streams are not compressed (Foundation
/// has no deflate on Linux). No JavaScript, no forms, no links, no metadata beyond the title.
public struct PDFTextDocument: Sendable {
    /// A4 in points.
    static let pageWidth = 595.28, pageHeight = 841.89
    static let margin = 50.0

    /// One line set on a page: its glyphs, size and baseline.
    struct Line: Sendable {
        let glyphs: [UInt16]
        let size: Double
        let x: Double
        let y: Double
    }

    public let font: TrueTypeFont
    public let title: String
    private var pages: [[Line]] = [[]]
    private var cursor = PDFTextDocument.pageHeight - PDFTextDocument.margin
    private var used: [UInt16: Unicode.Scalar] = [:]

    /// An empty document titled `title` (the document information's `/Title`).
    public init(font: TrueTypeFont, title: String) {
        self.font = font
        self.title = title
    }

    /// Adds `text` at `size` points, wrapped at the margins (at spaces; a word longer than a line
    /// is broken), `indent` points in, followed by `spaceAfter` points. Each `\n` starts a line.
    public mutating func add(_ text: String, size: Double = 10, indent: Double = 0, spaceAfter: Double = 0) {
        let width = Self.pageWidth - 2 * Self.margin - indent
        for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
            for line in wrap(String(paragraph), size: size, width: width) {
                let leading = size * 1.35
                if cursor - leading < Self.margin {
                    pages.append([])
                    cursor = Self.pageHeight - Self.margin
                }
                cursor -= leading
                let glyphs = line.unicodeScalars.map { scalar in
                    let glyph = font.glyph(for: scalar)
                    if glyph != 0, used[glyph] == nil { used[glyph] = scalar }
                    return glyph
                }
                pages[pages.count - 1].append(Line(glyphs: glyphs, size: size, x: Self.margin + indent, y: cursor))
            }
        }
        cursor -= spaceAfter
    }

    /// `text` broken into lines no wider than `width` at `size`.
    func wrap(_ text: String, size: Double, width: Double) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if font.width(of: candidate, size: size) <= width {
                current = candidate
                continue
            }
            if !current.isEmpty { lines.append(current) }
            current = ""
            for character in word {
                if !current.isEmpty, font.width(of: current + String(character), size: size) > width {
                    lines.append(current)
                    current = ""
                }
                current.append(character)
            }
        }
        lines.append(current)
        return lines
    }

    /// The document as PDF bytes.
    public func rendered() -> [UInt8] {
        var writer = Writer()
        // Objects: 1 catalog, 2 page tree, 3 Type0 font, 4 CID font, 5 descriptor, 6 ToUnicode,
        // 7 font file, 8 information; then a page and its content stream per page.
        let pageIDs = pages.indices.map { 9 + 2 * $0 }
        writer.object(1, "<< /Type /Catalog /Pages 2 0 R >>")
        writer.object(2, "<< /Type /Pages /Kids [\(pageIDs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(pages.count) >>")
        writer.object(
            3, "<< /Type /Font /Subtype /Type0 /BaseFont /\(font.name) /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>")
        let widths = used.keys.sorted().map { "\($0) [\(font.width(of: $0))]" }.joined(separator: " ")
        writer.object(
            4,
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /\(font.name) /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                + "/FontDescriptor 5 0 R /CIDToGIDMap /Identity /DW \(font.width(of: 0)) /W [\(widths)] >>")
        let box = font.boundingBox
        writer.object(
            5,
            "<< /Type /FontDescriptor /FontName /\(font.name) /Flags 32 /FontBBox [\(font.scaled(box.0)) \(font.scaled(box.1)) \(font.scaled(box.2)) \(font.scaled(box.3))] "
                + "/ItalicAngle \(Self.number(font.italicAngle)) /Ascent \(font.scaled(font.ascender)) /Descent \(font.scaled(font.descender)) "
                + "/CapHeight \(font.scaled(font.capHeight)) /StemV 80 /FontFile2 7 0 R >>")
        writer.stream(6, Array(toUnicode().utf8))
        writer.stream(7, font.bytes, extra: "/Length1 \(font.bytes.count)")
        writer.object(8, "<< /Title <\(Self.utf16Hex(title, bom: true))> /Producer (bilet) >>")
        for (index, lines) in pages.enumerated() {
            let id = pageIDs[index]
            writer.object(
                id,
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Self.number(Self.pageWidth)) \(Self.number(Self.pageHeight))] "
                    + "/Resources << /Font << /F1 3 0 R >> >> /Contents \(id + 1) 0 R >>")
            let content = lines.map { line in
                let hex = Self.hex(line.glyphs)
                return "BT /F1 \(Self.number(line.size)) Tf 1 0 0 1 \(Self.number(line.x)) \(Self.number(line.y)) Tm <\(hex)> Tj ET"
            }.joined(separator: "\n")
            writer.stream(id + 1, Array(content.utf8))
        }
        return writer.finished(root: 1, info: 8)
    }

    /// The CMap from the glyphs used back to their characters (UTF-16BE), 100 per block.
    func toUnicode() -> String {
        var text = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange

            """
        let pairs = used.sorted { $0.key < $1.key }
        for start in stride(from: 0, to: pairs.count, by: 100) {
            let block = pairs[start..<min(start + 100, pairs.count)]
            text += "\(block.count) beginbfchar\n"
            for (glyph, scalar) in block { text += "<\(Self.hex([glyph]))> <\(Self.utf16Hex(String(scalar)))>\n" }
            text += "endbfchar\n"
        }
        text += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        return text
    }

    /// `text` as UTF-16BE hex (with the byte-order mark for document strings).
    static func utf16Hex(_ text: String, bom: Bool = false) -> String {
        (bom ? "FEFF" : "") + hex(Array(text.utf16))
    }

    /// 16-bit values as upper-case hex, four digits each, from a table (`String(format:)` per
    /// glyph made a long report's rendering slow).
    static func hex(_ values: [UInt16]) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * 4)
        for value in values {
            for shift in stride(from: 12, through: 0, by: -4) { bytes.append(digits[Int((value >> UInt16(shift)) & 0xF)]) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A PDF number: at most two decimals, no exponent.
    static func number(_ value: Double) -> String {
        let text = String(format: "%.2f", value)
        return text.hasSuffix(".00") ? String(text.dropLast(3)) : text
    }

    /// The file: objects in order, the cross-reference table, the trailer.
    struct Writer {
        var bytes: [UInt8] = Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n".utf8)
        var offsets: [Int: Int] = [:]

        mutating func object(_ id: Int, _ body: String) {
            offsets[id] = bytes.count
            bytes += Array("\(id) 0 obj\n\(body)\nendobj\n".utf8)
        }

        mutating func stream(_ id: Int, _ content: [UInt8], extra: String = "") {
            offsets[id] = bytes.count
            bytes += Array("\(id) 0 obj\n<< /Length \(content.count)\(extra.isEmpty ? "" : " " + extra) >>\nstream\n".utf8)
            bytes += content
            bytes += Array("\nendstream\nendobj\n".utf8)
        }

        func finished(root: Int, info: Int) -> [UInt8] {
            var out = bytes
            let size = (offsets.keys.max() ?? 0) + 1
            let start = out.count
            var table = "xref\n0 \(size)\n0000000000 65535 f \n"
            for id in 1..<size { table += String(format: "%010d 00000 n \n", offsets[id] ?? 0) }
            table += "trailer\n<< /Size \(size) /Root \(root) 0 R /Info \(info) 0 R >>\nstartxref\n\(start)\n%%EOF\n"
            out += Array(table.utf8)
            return out
        }
    }
}
