public import Identity

/// The `bilet://<kind>/<id>` URI of an organisation (`bilet://school/77-1234`), as accounts store
/// it: the organisation part of a workstation principal's URI.
public enum OrganisationURI {
    /// The organisation `text` names; nil for anything but `bilet://school|venue|region|operator/<id>`.
    public static func parse(_ text: String) -> Organisation? {
        let prefix = "bilet://"
        guard text.hasPrefix(prefix) else { return nil }
        let parts = text.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let kind = OrganisationKind(rawValue: String(parts[0])), let id = OrganisationID(parts[1])
        else { return nil }
        return Organisation(kind: kind, id: id)
    }

    /// The URI of `organisation`.
    public static func string(_ organisation: Organisation) -> String {
        "bilet://\(organisation.kind.rawValue)/\(organisation.id.value)"
    }
}
