public import Foundation

/// The part of the audit log an incident covers, from which its affected data subjects and
/// organisations are computed (`incidents.affected`, migration 0860).
///
/// An event counts when it released or changed personal data with the decision `permit`
/// (`pii.read`, `pii.written`, `token.resolved`, `consent.scan_downloaded`), was recorded in
/// [``from``, ``until``), and matches every filter the scope names:
/// - ``actor``: the event's actor (`user:usr_…`, `service:assessment`);
/// - ``certificate``: its actor signed in (`auth.succeeded`) with this client certificate serial
///   (lowercase hex) before ``until``;
/// - ``organisation``: its actor is an account of this organisation (`bilet://school/77-1234`).
/// A scope naming no filter covers every such event in the window.
public struct IncidentScope: Sendable, Hashable {
    /// The first instant covered.
    public let from: Date
    /// The first instant no longer covered (later than ``from``).
    public let until: Date
    /// Only this actor's events.
    public let actor: String?
    /// Only events of actors who signed in with this certificate serial (lowercase hex).
    public let certificate: String?
    /// Only events of accounts of this organisation.
    public let organisation: String?

    /// A scope; ``validated()`` checks it.
    public init(from: Date, until: Date, actor: String? = nil, certificate: String? = nil, organisation: String? = nil) {
        self.from = from
        self.until = until
        self.actor = actor
        self.certificate = certificate.map { $0.lowercased() }
        self.organisation = organisation
    }

    /// Checks the window's order and each filter's shape.
    ///
    /// - Throws: ``IncidentsError/Code/invalidArgument`` naming the field.
    public func validated() throws(IncidentsError) {
        guard from < until else { throw IncidentsError(.invalidArgument, "scope.from must be earlier than scope.until") }
        if let actor, actor.wholeMatch(of: /[a-z]+:[A-Za-z0-9:\/._-]{1,128}/) == nil {
            throw IncidentsError(.invalidArgument, "scope.actor is not an audit actor")
        }
        if let certificate, certificate.wholeMatch(of: /[0-9a-f]{1,64}/) == nil {
            throw IncidentsError(.invalidArgument, "scope.certificate is not a hexadecimal serial")
        }
        if let organisation, organisation.wholeMatch(of: /bilet:\/\/(school|venue|region)\/[A-Za-z0-9-]{1,32}/) == nil {
            throw IncidentsError(.invalidArgument, "scope.organisation is not an organisation URI")
        }
    }
}
