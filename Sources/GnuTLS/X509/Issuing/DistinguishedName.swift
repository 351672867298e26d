/// The subject name the platform writes into certificates and requests: a common name and,
/// optionally, an organisation and an organisational unit. Nothing else (no country, no e-mail,
/// no personal names: identities live in the subject alternative name).
public struct DistinguishedName: Sendable, Hashable {
    /// `CN`, 1–64 characters.
    public var commonName: String
    /// `O`, at most 64 characters.
    public var organization: String?
    /// `OU`, at most 64 characters.
    public var organizationalUnit: String?

    /// Makes a name.
    public init(commonName: String, organization: String? = nil, organizationalUnit: String? = nil) {
        self.commonName = commonName
        self.organization = organization
        self.organizationalUnit = organizationalUnit
    }

    /// The attributes in the order they are written: (OID, value).
    var attributes: [(oid: String, value: String)] {
        var list: [(String, String)] = []
        if let organization { list.append(("2.5.4.10", organization)) }
        if let organizationalUnit { list.append(("2.5.4.11", organizationalUnit)) }
        list.append(("2.5.4.3", self.commonName))
        return list
    }

    var isWritable: Bool {
        self.attributes.allSatisfy { !$0.value.isEmpty && $0.value.utf8.count <= 64 && !$0.value.utf8.contains(0) }
    }
}
