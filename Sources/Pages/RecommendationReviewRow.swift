public import Foundation

/// One recommendation of a pupil as the navigator reviews it: what it recommends, the text (a
/// draft's in its edit form, with a refused text's message next to the field), and publishing.
public struct RecommendationReviewRow: Sendable {
    public let id: Int64
    public let kind: String
    public let title: String
    public let text: String
    public let draft: Bool
    /// `ДД.ММ.ГГГГ ЧЧ:ММ` (UTC) when published.
    public let published: String?
    /// The message next to the text field when an edit was refused.
    public var textError: String?

    /// The row of a recommendation: `kind` its raw kind (`sphere`, `competency`, `event`, `opportunity`).
    public init(id: Int64, kind: String, title: String, text: String, draft: Bool, publishedAt: Date?) {
        self.id = id
        self.kind = Self.kind(kind)
        self.title = title
        self.text = text
        self.draft = draft
        self.published = publishedAt.map(RussianFormat.moscowDateTime)
    }

    /// A recommendation's kind in Russian.
    public static func kind(_ raw: String) -> String {
        switch raw {
        case "sphere": "сфера"
        case "competency": "компетенция"
        case "event": "мероприятие"
        case "opportunity": "возможность региона"
        default: raw
        }
    }

    /// The message of a navigator's text the store would refuse (1 to 4000 characters once
    /// trimmed), or nil when it is accepted.
    public static func textRefusal(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "Напишите текст рекомендации." }
        if trimmed.count > 4000 { return "Не длиннее 4000 символов." }
        return nil
    }
}
