/// Generates a deterministic set of requests from test fixtures, to compare policy sets on more
/// than the hand-written cases.
///
/// Every principal seen in the suites (fixtures and inline ones) with every resource, every action
/// that applies to the resource's type, every purpose, and as field sets: none, each field alone,
/// and all fields; at each time the suites use with that resource (the edges of relationship
/// windows are where test authors put them).
public struct RequestGenerator: Sendable {
    public var principals: [Principal]
    public var resources: [Resource]
    /// The times to ask about each resource, by resource identity.
    public var times: [EntityRef: [Timestamp]]

    /// A generator over explicit principals, resources and times.
    public init(principals: [Principal], resources: [Resource], times: [EntityRef: [Timestamp]]) {
        self.principals = principals
        self.resources = resources
        self.times = times
    }

    /// Collects principals, resources and times from `suites`, deduplicated and sorted so the
    /// generated set does not depend on dictionary order. A resource no case uses is asked about
    /// at the earliest time any case uses.
    public init(suites: [PolicyTestSuite]) {
        var principals = Set<Principal>()
        var resources = Set<Resource>()
        var times: [EntityRef: Set<Timestamp>] = [:]
        var earliest: Timestamp?
        for suite in suites {
            principals.formUnion(suite.principals.values)
            resources.formUnion(suite.resources.values)
            for testCase in suite.cases {
                let request = testCase.request
                principals.insert(request.principal)
                resources.insert(request.resource)
                times[request.resource.entity, default: []].insert(request.time)
                earliest = min(earliest ?? request.time, request.time)
            }
        }
        for resource in resources where times[resource.entity] == nil {
            if let earliest { times[resource.entity] = [earliest] }
        }
        self.init(
            principals: principals.sorted { Self.key($0.role, $0.attributes) < Self.key($1.role, $1.attributes) },
            resources: resources.sorted {
                Self.key($0.entity.description, $0.attributes) < Self.key($1.entity.description, $1.attributes)
            },
            times: times.mapValues { $0.sorted() })
    }

    private static func key(_ name: String, _ attributes: [String: Value]) -> String {
        name + attributes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Calls `body` with each request, using action, purpose and field names from every schema
    /// given; returns how many there were. The set is never held in memory at once.
    @discardableResult
    public func forEachRequest(
        schemas: [Schema], _ body: (PolicyRequest) async -> Void
    ) async -> Int {
        var purposes: [String] = []
        for schema in schemas {
            for purpose in schema.purposes where !purposes.contains(purpose.name) { purposes.append(purpose.name) }
        }
        var count = 0
        for resource in resources {
            var actions: [String] = []
            var fields: [String] = []
            for schema in schemas {
                for action in schema.actions
                where action.appliesTo.contains(resource.type) && !actions.contains(action.name) {
                    actions.append(action.name)
                }
                for field in schema.entityType(named: resource.type)?.fields ?? [] where !fields.contains(field.name) {
                    fields.append(field.name)
                }
            }
            var fieldSets: [[String]] = [[]]
            fieldSets += fields.map { [$0] }
            if fields.count > 1 { fieldSets.append(fields) }
            for time in times[resource.entity] ?? [] {
                for principal in principals {
                    for action in actions {
                        for purpose in purposes {
                            for fieldSet in fieldSets {
                                count += 1
                                await body(
                                    PolicyRequest(
                                        principal: principal, action: action, resource: resource, fields: fieldSet,
                                        purpose: purpose, time: time))
                            }
                        }
                    }
                }
            }
        }
        return count
    }
}
