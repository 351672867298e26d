import Policy

/// The repository's `policies/` directory.
let policiesDirectory: String = {
    var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)  // Support.swift, PolicyTests, Tests
    return parts.joined(separator: "/") + "/policies"
}()

/// The real policy set, loaded once per call.
func realPolicies() throws -> PolicySet {
    try PolicySet.load(directory: policiesDirectory, hasher: SHA256VersionHasher())
}

/// The real test suite (fixtures and relationships).
func realSuite() throws -> PolicyTestSuite {
    try PolicyTestSuite.load(directory: policiesDirectory)
}

/// Compiles a schema and one policy file from text.
func compile(schema: String, policy: String, hasher: some PolicyVersionHasher = SHA256VersionHasher()) throws
    -> PolicySet
{
    try PolicySet.compile(
        [SourceFile(path: "test.schema", text: schema), SourceFile(path: "test.policy", text: policy)], hasher: hasher)
}

/// The diagnostics compiling `policy` against `schema` produces (empty when it compiles).
func diagnostics(schema: String, policy: String) -> [PolicyDiagnostic] {
    do {
        _ = try compile(schema: schema, policy: policy)
        return []
    } catch {
        return (error as? PolicyLoadError)?.diagnostics ?? []
    }
}

func time(_ text: String) -> Timestamp {
    Timestamp(iso8601: text)!
}

/// A small schema for semantics tests.
let miniSchema = """
    enum kind { alpha, beta }
    entity organisation;
    entity school : organisation;
    entity user;
    entity group;
    entity record {
        attributes { school: school; level: long; opened: timestamp; kind?: kind; }
        fields { name masks [initial]; born masks [year]; note; secret special; }
    }
    entity memo { fields { body; } }
    relation member_of: record -> group;
    relation led_by: group -> user;
    action read on [record];
    action write on [record];
    action file on [memo];
    purpose work "Daily work.";
    purpose audit "Review.";
    role clerk { user: user; organisation: school; }
    role boss { user: user; }
    """

let schoolA = EntityRef("school", "s-a")
let schoolB = EntityRef("school", "s-b")

func clerk(_ organisation: EntityRef = schoolA, user: String = "u-1") -> Principal {
    Principal(role: "clerk", user: EntityRef("user", user), organisation: organisation)
}

func record(
    _ id: String = "r-1", school: EntityRef = schoolA, level: Int64 = 3, opened: String = "2025-01-01",
    kind: String? = nil
) -> Resource {
    var attributes: [String: Value] = [
        "school": .entity(school), "level": .long(level), "opened": .timestamp(time(opened)),
    ]
    if let kind { attributes["kind"] = .string(kind) }
    return Resource(type: "record", id: id, attributes: attributes)
}

func request(
    _ principal: Principal = clerk(), _ resource: Resource = record(), action: String = "read",
    fields: [String] = [], purpose: String = "work", at: String = "2025-06-01T12:00:00Z"
) -> PolicyRequest {
    PolicyRequest(
        principal: principal, action: action, resource: resource, fields: fields, purpose: purpose, time: time(at))
}

func request(
    _ resource: Resource, action: String = "read", fields: [String] = [], purpose: String = "work",
    at: String = "2025-06-01T12:00:00Z"
) -> PolicyRequest {
    request(clerk(), resource, action: action, fields: fields, purpose: purpose, at: at)
}

/// A resolver standing in for a database that fails: every lookup throws.
struct FailingResolver: RelationshipResolver {
    struct Failure: Error {}
    func holds(_ query: RelationQuery) async throws -> Bool { throw Failure() }
}

/// A hasher that names its input length, to prove the hasher is injected.
struct LengthHasher: PolicyVersionHasher {
    func version(of bytes: [UInt8]) -> PolicyVersion {
        PolicyVersion(algorithm: "length", digest: String(bytes.count))
    }
}
