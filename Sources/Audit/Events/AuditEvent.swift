import Foundation

/// One audit record before it is written: what happened (`type`, from the ``AuditCatalogue``),
/// who did it (`actor`), to whose data (`subject`, a token), the decision, the purpose, and the
/// type's fields.
///
/// No field can hold free text: ``validated(against:)`` refuses anything that is not of its
/// declared kind, so names, addresses and other personal data cannot enter the log.
public struct AuditEvent: Sendable, Hashable {
    /// The event type (`pii.read`).
    public var type: String
    /// The principal that acted: an identifier such as `bilet://school/77-1234/ws/3` or `user:usr_…`.
    public var actor: String
    /// The data subject's token, when the type has one.
    public var subject: String?
    /// `permit`, `deny` or `error`, when the type records a decision.
    public var decision: String?
    /// The purpose code, when the type records one.
    public var purpose: String?
    /// The type's fields.
    public var fields: [String: AuditValue]

    /// An event; nothing is checked until it is appended.
    public init(
        type: String, actor: String, subject: String? = nil, decision: String? = nil, purpose: String? = nil,
        fields: [String: AuditValue] = [:]
    ) {
        self.type = type
        self.actor = actor
        self.subject = subject
        self.decision = decision
        self.purpose = purpose
        self.fields = fields
    }

    /// Checks the event against its catalogue entry and returns the payload as compact JSON with
    /// sorted keys.
    ///
    /// - Throws: ``AuditError/Code/invalidEvent`` naming the type and the offending attribute or
    ///   field (never its value).
    public func validated(against catalogue: AuditCatalogue) throws(AuditError) -> String {
        guard let entry = catalogue.entry(for: type) else {
            throw AuditError(.invalidEvent, "unknown event type (not in catalogue v\(catalogue.version))")
        }
        guard AuditPatterns.isIdentifier(actor) else {
            throw AuditError(.invalidEvent, "\(type): actor is not an identifier")
        }
        try Self.check(subject, entry.subject, "subject", type) { AuditPatterns.isToken($0) }
        try Self.check(decision, entry.decision, "decision", type) { AuditCatalogue.decisions.contains($0) }
        try Self.check(purpose, entry.purpose, "purpose", type) { AuditPatterns.isCode($0) }
        for name in fields.keys where !entry.fields.contains(where: { $0.name == name }) {
            throw AuditError(.invalidEvent, "\(type): unknown field (not in catalogue v\(catalogue.version))")
        }
        for field in entry.fields {
            guard let value = fields[field.name] else {
                if field.required { throw AuditError(.invalidEvent, "\(type): field \(field.name) is required") }
                continue
            }
            guard field.kind.accepts(value) else {
                throw AuditError(.invalidEvent, "\(type): field \(field.name) is not a valid \(field.kind.rawValue)")
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Strings, integers and string lists always encode.
        return String(decoding: try! encoder.encode(fields), as: UTF8.self)
    }

    private static func check(
        _ value: String?, _ presence: AuditCatalogue.Presence, _ name: String, _ type: String, _ isValid: (String) -> Bool
    ) throws(AuditError) {
        switch (presence, value) {
        case (.required, nil): throw AuditError(.invalidEvent, "\(type): \(name) is required")
        case (.absent, .some): throw AuditError(.invalidEvent, "\(type): \(name) must be absent")
        case (_, .some(let value)) where !isValid(value): throw AuditError(.invalidEvent, "\(type): \(name) is malformed")
        default: return
        }
    }
}
