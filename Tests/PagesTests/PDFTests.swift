import Foundation
import Pages
import Testing

/// The minimal PDF writer: a document in the embedded DejaVu Sans (Cyrillic) parses, and
/// `pdftotext` (poppler-utils) gives the Russian text back, which the ToUnicode CMap makes possible.
@Suite struct PDFTests {
    static func font() throws -> TrueTypeFont {
        try TrueTypeFont.load(path: AccessReportPDF.fontPath)
    }

    /// `pdftotext` of `bytes` (layout kept, UTF-8), and its exit status.
    static func text(of bytes: [UInt8]) throws -> (status: Int32, text: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("report.pdf")
        try Data(bytes).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/pdftotext")
        process.arguments = ["-enc", "UTF-8", file.path, "-"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func theFontMapsCyrillicAndLatinToGlyphsWithWidths() throws {
        let font = try Self.font()
        for scalar in "АБВЖЯабвжяЁё0123456789abcXYZ—«»".unicodeScalars {
            #expect(font.glyph(for: scalar) != 0, "\(scalar)")
            #expect(font.width(of: font.glyph(for: scalar)) > 0, "\(scalar)")
        }
        #expect(font.glyph(for: "\u{10FFFF}") == 0, "outside the BMP: .notdef")
        #expect(font.name == "DejaVuSans")
        #expect(font.width(of: "ЖЖЖЖ", size: 10) > font.width(of: "iiii", size: 10))
    }

    @Test func aBrokenFontIsRefused() {
        #expect(throws: PagesError(.fontInvalid, "truncated")) { try TrueTypeFont(bytes: [0, 1, 0, 0], name: "x") }
        #expect(throws: PagesError(.fontInvalid, "font file missing")) { try TrueTypeFont.load(path: "/nonexistent/font.ttf") }
        var noTables = [UInt8](repeating: 0, count: 12)
        noTables[5] = 0
        #expect(throws: PagesError(.fontInvalid, "no head table")) { try TrueTypeFont(bytes: noTables, name: "x") }
    }

    @Test func theReportParsesAndGivesBackTheRussianText() throws {
        let rows = (0..<60).map { index in
            AuditSearchPage.Row(
                time: "07.12.2026 10:\(String(format: "%02d", index % 60)):00", type: "pii.read", actor: "user:usr_A", subject: "sub_AAAAAAAAAAAAAAAAAAAAAA",
                decision: "permit", purpose: "enrolment", leaf: UInt64(index), fields: [("fields_requested", "surname, first_name")])
        }
        let bytes = AccessReportPDF.document(
            font: try Self.font(), subject: "sub_AAAAAAAAAAAAAAAAAAAAAA", generated: "07.12.2026 10:00", role: "ответственный за защиту данных",
            readers: ["user:usr_A", "service:assessment"], entries: rows)
        #expect(Array(bytes.prefix(9)) == Array("%PDF-1.7\n".utf8))
        #expect(String(decoding: bytes.suffix(6), as: UTF8.self) == "%%EOF\n")
        let (status, text) = try Self.text(of: bytes)
        #expect(status == 0)
        #expect(text.contains("Отчёт о доступе к данным ученика"), "\(text.prefix(400))")
        #expect(text.contains("Ученик (идентификатор): sub_AAAAAAAAAAAAAAAAAAAAAA"))
        #expect(text.contains("Составлен: 07.12.2026 10:00 (по UTC), ответственный за защиту данных"))
        #expect(text.contains("Обращались к данным: user:usr_A, service:assessment"))
        #expect(text.contains("Кто: user:usr_A; решение: разрешено; цель: enrolment"), "\(text.prefix(2000))")
        // 60 entries do not fit one A4 page: more than one page (form feeds between pages).
        #expect(text.components(separatedBy: "\u{0C}").count > 2)
        #expect(text.components(separatedBy: "pii.read").count - 1 == 60)
    }

    /// A log longer than ``AccessReportPDF/maximumEntries`` is cut there, and the PDF says so.
    @Test func aLongReportIsCutAndSaysSo() throws {
        let row = AuditSearchPage.Row(
            time: "07.12.2026 10:00:00", type: "token.resolved", actor: "service:trials", subject: "sub_AAAAAAAAAAAAAAAAAAAAAA",
            decision: "permit", purpose: "trials", leaf: 1, fields: [])
        let bytes = AccessReportPDF.document(
            font: try Self.font(), subject: "sub_AAAAAAAAAAAAAAAAAAAAAA", generated: "07.12.2026 10:00", role: "ответственный за защиту данных",
            readers: ["service:trials"], entries: Array(repeating: row, count: AccessReportPDF.maximumEntries + 1))
        let (status, text) = try Self.text(of: bytes)
        #expect(status == 0)
        #expect(text.components(separatedBy: "token.resolved").count - 1 == AccessReportPDF.maximumEntries)
        #expect(text.contains("Показаны первые 5000 записей из 5001"))
    }

    @Test func aLongWordIsBrokenAtTheMargin() throws {
        var document = PDFTextDocument(font: try Self.font(), title: "Тест")
        document.add(String(repeating: "Ж", count: 200))
        let (status, text) = try Self.text(of: document.rendered())
        #expect(status == 0)
        #expect(text.filter { $0 == "Ж" }.count == 200)
        #expect(text.split(separator: "\n").filter { $0.contains("Ж") }.count > 1)
    }
}
