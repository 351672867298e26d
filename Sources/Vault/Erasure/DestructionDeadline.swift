public import Foundation
public import Tokens

/// Something that must be destroyed by a date: a whole subject (no consent left, or retention
/// ended) or some of its fields (their only consent was withdrawn or expired). `bilet vault
/// deadlines` lists them; the retention job acts on them unless the subject is under legal hold.
public struct DestructionDeadline: Sendable, Hashable, Codable {
    /// What is to be destroyed.
    public enum Scope: String, Sendable, Hashable, Codable {
        case subject
        case fields
    }

    /// The deadline's id (0 for a retention end, which is read from the subject).
    public var id: Int64
    public var subject: SubjectToken
    public var kind: SubjectKind
    public var scope: Scope
    public var fields: [FieldName]
    /// `consent_withdrawn`, `consent_expired` or `retention_expired`.
    public var reason: String
    public var due: Date
    /// Whether a legal hold stops the destruction for now.
    public var legalHold: Bool
}

extension SubjectKind: Codable {}
extension FieldName: Codable {}
