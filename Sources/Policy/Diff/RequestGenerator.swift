/// Generates a deterministic set of requests from test fixtures, to compare policy sets on more
/// than the hand-written cases.
///
/// Every principal and resource seen in the suites (fixtures and inline ones), with every action
/// that applies to the resource's type, every purpose, and as field sets: none, each field alone,
/// and all fields; at every time the test cases use.
public struct RequestGenerator: Sendable {
    public var principals: [Principal]
    public var resources: [Resource]
    public var times: [Timestamp]

    /// Collects principals, resources and times from `suites`, deduplicated and sorted so the
    /// generated set does not depend on dictionary order.
    public init(suites: [PolicyTestSuite]) {
        var principals = Set<Principal>()
        var resources = Set<Resource>()
        var times = Set<Timestamp>()
        for suite in suites {
            principals.formUnion(suite.principals.values)
            resources.formUnion(suite.resources.values)
            for testCase in suite.cases {
                principals.insert(testCase.request.principal)
                resources.insert(testCase.request.resource)
                times.insert(testCase.request.time)
            }
        }
        self.principals = principals.sorted { "\($0.role)\($0.attributes.description)" < "\($1.role)\($1.attributes.description)" }
        self.resources = resources.sorted { "\($0.entity)\($0.attributes.description)" < "\($1.entity)\($1.attributes.description)" }
        self.times = times.sorted()
    }

    /// The requests, using action, purpose and field names from every schema given.
    public func requests(schemas: [Schema]) -> [PolicyRequest] {
        var purposes: [String] = []
        for schema in schemas {
            for purpose in schema.purposes where !purposes.contains(purpose.name) { purposes.append(purpose.name) }
        }
        var requests: [PolicyRequest] = []
        for resource in resources {
            var actions: [String] = []
            var fields: [String] = []
            for schema in schemas {
                for action in schema.actions where action.appliesTo.contains(resource.type) && !actions.contains(action.name) {
                    actions.append(action.name)
                }
                for field in schema.entityType(named: resource.type)?.fields ?? [] where !fields.contains(field.name) {
                    fields.append(field.name)
                }
            }
            var fieldSets: [[String]] = [[]]
            fieldSets += fields.map { [$0] }
            if fields.count > 1 { fieldSets.append(fields) }
            for principal in principals {
                for action in actions {
                    for purpose in purposes {
                        for fieldSet in fieldSets {
                            for time in times {
                                requests.append(
                                    PolicyRequest(
                                        principal: principal, action: action, resource: resource, fields: fieldSet,
                                        purpose: purpose, time: time))
                            }
                        }
                    }
                }
            }
        }
        return requests
    }
}
