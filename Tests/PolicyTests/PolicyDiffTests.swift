import Policy
import Testing

@Suite("Policy diff")
struct PolicyDiffTests {
    func realSources() throws -> [SourceFile] {
        try PolicySources.policyFiles(in: policiesDirectory)
    }

    /// A generator over a few fixtures, so the test stays quick in debug builds.
    func smallGenerator(_ suite: PolicyTestSuite) throws -> RequestGenerator {
        RequestGenerator(
            principals: ["mentor_1", "mentor_2", "school_a", "navigator_a"].map { suite.principals[$0]! },
            resources: ["pupil_a1", "pupil_b1", "attendance_a1"].map { suite.resources[$0]! },
            times: [
                EntityRef("pupil", "tok-a1"): [time("2025-10-10T12:00:00Z"), time("2025-10-15T12:00:00Z")],
                EntityRef("pupil", "tok-b1"): [time("2025-11-05T12:00:00Z")],
                EntityRef("attendance", "at-a1"): [time("2025-10-15T12:00:00Z")],
            ])
    }

    @Test("identical sets: nothing changes")
    func identical() async throws {
        let policies = try realPolicies()
        let suite = try realSuite()
        let diff = await PolicyDiff.compare(old: policies, new: policies, suites: [suite], generator: try smallGenerator(suite))
        #expect(diff.changes.isEmpty)
        #expect(diff.requestCount > suite.cases.count)
    }

    @Test("shortening the mentor's window lists exactly the requests that change")
    func mentorWindowShortened() async throws {
        let old = try realPolicies()
        let sources = try realSources().map { file in
            SourceFile(path: file.path, text: file.text.replacingOccurrences(of: "until 7 days after", with: "until 3 days after"))
        }
        let new = try PolicySet.compile(sources, hasher: SHA256VersionHasher())
        #expect(old.version != new.version)
        let suite = try realSuite()
        let diff = await PolicyDiff.compare(old: old, new: new, suites: [suite], generator: try smallGenerator(suite))
        #expect(!diff.changes.isEmpty)
        #expect(diff.changes.contains { $0.testName == "mentor still sees them six days after the event" })
        for change in diff.changes {
            #expect(change.request.principal.role == "mentor")
            #expect(change.old.effect == .allow)
            #expect(change.new.effect == .deny)
        }
        // Generated: mentor 1 reading attendance on 15 October (5 days after) changes.
        #expect(
            diff.changes.contains {
                $0.testName == nil && $0.request.resource.type == "attendance" && $0.request.fields == ["grade"]
            })
    }

    @Test("granting a field plain instead of masked is an outcome change")
    func treatmentChange() async throws {
        let old = try realPolicies()
        let sources = try realSources().map { file in
            SourceFile(path: file.path, text: file.text.replacingOccurrences(of: "surname as initial", with: "surname"))
        }
        let new = try PolicySet.compile(sources, hasher: SHA256VersionHasher())
        let suite = try realSuite()
        let diff = await PolicyDiff.compare(old: old, new: new, suites: [suite], generator: try smallGenerator(suite))
        #expect(diff.changes.contains { $0.testName == "mentor sees first name and surname initial during the event" })
        #expect(diff.changes.allSatisfy { $0.old.isAllowed && $0.new.isAllowed })
    }
}
