/// The per-pupil access report as a PDF (`GET /app/audit/report/pdf?subject=<token>`): what the
/// printable page shows, in Russian, in the embedded font. The pupil by token only.
public enum AccessReportPDF {
    /// The font embedded: DejaVu Sans (Debian's `fonts-dejavu-core`), which has Cyrillic.
    public static let fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

    /// The download's file name: the token only, never a name (`bilet-access-report-sub_….pdf`).
    public static func fileName(subject: String) -> String {
        "bilet-access-report-\(subject).pdf"
    }

    /// The most entries one PDF sets (a pupil's log may hold up to the report's 100,000; the
    /// printable page and `bilet audit` show them all).
    public static let maximumEntries = 5_000

    /// The report of `subject`, made at `generated` (`ДД.ММ.ГГГГ ЧЧ:ММ`) by `role`: its readers and
    /// its entries, oldest first, at most ``maximumEntries`` of them.
    public static func document(
        font: TrueTypeFont, subject: String, generated: String, role: String, readers: [String], entries: [AuditSearchPage.Row]
    ) -> [UInt8] {
        var document = PDFTextDocument(font: font, title: "Отчёт о доступе к данным ученика \(subject)")
        document.add("Отчёт о доступе к данным ученика", size: 16, spaceAfter: 8)
        document.add("Ученик (идентификатор): \(subject)")
        document.add("Составлен: \(generated) (по UTC), \(role)")
        document.add("Записей в журнале: \(entries.count)")
        document.add("Обращались к данным: \(readers.isEmpty ? "никто" : readers.joined(separator: ", "))", spaceAfter: 10)
        if entries.isEmpty {
            document.add("В журнале нет записей об этом ученике.")
        } else {
            document.add("Каждое обращение к данным ученика, сначала старые (время по UTC)", size: 12, spaceAfter: 4)
        }
        for entry in entries.prefix(maximumEntries) {
            let type = entry.typeLabel.isEmpty ? entry.type : "\(entry.type) (\(entry.typeLabel))"
            document.add("\(entry.time) — \(type)", size: 10)
            document.add("Кто: \(entry.actor); решение: \(entry.decision); цель: \(entry.purpose)", size: 9, indent: 12)
            document.add("Поля: \(entry.fields)", size: 9, indent: 12, spaceAfter: 4)
        }
        if entries.count > maximumEntries {
            document.add(
                "Показаны первые \(maximumEntries) записей из \(entries.count); все записи — на странице отчёта и в выгрузке bilet audit.",
                size: 9, spaceAfter: 6)
        }
        document.add(
            "Журнал аудита подписан контрольными точками; каждую запись можно проверить командой bilet audit verify.", size: 8,
            spaceAfter: 0)
        return document.rendered()
    }
}
