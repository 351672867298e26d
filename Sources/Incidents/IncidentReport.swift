public import Foundation

/// A breach as it is reported to the register: when it was discovered, its kind, a confidential
/// description (what happened, its presumed causes, the harm and the measures taken; it needs no
/// pupil's personal data) and its scope in the audit log.
public struct IncidentReport: Sendable, Hashable {
    /// The largest description accepted, in characters.
    public static let maximumDescriptionLength = 4000

    public let discoveredAt: Date
    public let kind: IncidentKind
    public let description: String
    public let scope: IncidentScope

    public init(discoveredAt: Date, kind: IncidentKind, description: String, scope: IncidentScope) {
        self.discoveredAt = discoveredAt
        self.kind = kind
        self.description = description
        self.scope = scope
    }

    /// Checks the description and the scope (the discovery time is checked against the database's
    /// clock when it is recorded).
    ///
    /// - Throws: ``IncidentsError/Code/invalidArgument`` naming the field.
    public func validated() throws(IncidentsError) {
        try Self.checkDescription(description)
        try scope.validated()
    }

    /// Checks a description: not blank, at most ``maximumDescriptionLength`` characters.
    ///
    /// - Throws: ``IncidentsError/Code/invalidArgument``.
    public static func checkDescription(_ description: String) throws(IncidentsError) {
        guard !description.allSatisfy(\.isWhitespace), description.count <= maximumDescriptionLength else {
            throw IncidentsError(.invalidArgument, "description must have 1 to \(maximumDescriptionLength) characters")
        }
    }
}
