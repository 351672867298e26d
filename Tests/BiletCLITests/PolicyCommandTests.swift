import Foundation
import Testing
import ServeTestSupport

/// `bilet policy check|test|explain|diff` as CI and policy authors run them: the real binary, its
/// output and its exit status.
@Suite struct PolicyCommandTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let policies = repository + "/policies"

    /// A copy of the repository's policies with `edit` applied to each file's text, plus `extra` files.
    static func copy(editing edit: (String, String) -> String = { _, text in text }, extra: [String: String] = [:])
        throws -> String
    {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-policy-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/tests", withIntermediateDirectories: true)
        for folder in ["", "tests/"] {
            for name in try FileManager.default.contentsOfDirectory(atPath: policies + "/" + folder)
            where name.hasSuffix(".schema") || name.hasSuffix(".policy") || name.hasSuffix(".test") {
                let text = try String(contentsOfFile: policies + "/" + folder + name, encoding: .utf8)
                try edit(folder + name, text).write(toFile: directory + "/" + folder + name, atomically: true, encoding: .utf8)
            }
        }
        for (name, text) in extra {
            try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8)
        }
        return directory
    }

    func bilet(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try BiletProcess.run(["policy"] + arguments, environment: [:])
    }

    @Test func checkPassesOnTheRepositoryAndFailsWithLocatedErrors() throws {
        let ok = try bilet(["check", "--policies", Self.policies])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.hasPrefix("ok: "))
        #expect(ok.output.contains("version sha256:"))

        let broken = try Self.copy { name, text in
            name == "mentor.policy" ? text.replacingOccurrences(of: "principal is mentor", with: "principal is mentr") : text
        }
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let refused = try bilet(["check", "--policies", broken])
        #expect(refused.status == 1)
        #expect(refused.output.contains("mentor.policy:5:22: error[unknown_role]: unknown role 'mentr'"), "\(refused.output)")

        let missing = try bilet(["check", "--policies", broken + "/nothing"])
        #expect(missing.status == 1)
        #expect(missing.output.contains("error[unreadable_file]"))
    }

    @Test func testRunsTheCasesWithStrictCoverageAndFailsOnAFailingCase() throws {
        let ok = try bilet(["test", "--policies", Self.policies, "--strict-coverage"])
        #expect(ok.status == 0, "\(ok.output)")
        #expect(ok.output.contains("cases passed (policy sha256:"))
        #expect(ok.output.contains("coverage: "))

        let failing = try Self.copy { name, text in
            name == "tests/mentor.test"
                ? text.replacingOccurrences(of: "expect allow [first_name, surname as initial];", with: "expect allow [first_name, surname];")
                : text
        }
        defer { try? FileManager.default.removeItem(atPath: failing) }
        let failed = try bilet(["test", "--policies", failing])
        #expect(failed.status == 1)
        #expect(failed.output.contains("FAIL \"mentor sees first name and surname initial during the event\""))

        let uncovered = try Self.copy(extra: [
            "extra.policy": #"@id("extra.unused") permit (principal is operator, action == read, resource is certificate, purpose == certificate_management);"#
        ])
        defer { try? FileManager.default.removeItem(atPath: uncovered) }
        #expect(try bilet(["test", "--policies", uncovered]).status == 0)
        let strict = try bilet(["test", "--policies", uncovered, "--strict-coverage"])
        #expect(strict.status == 1)
        #expect(strict.output.contains("not exercised: extra.unused (extra.policy:1:21)"), "\(strict.output)")

        let noTests = try Self.copy { name, text in name.hasPrefix("tests/") ? "" : text }
        defer { try? FileManager.default.removeItem(atPath: noTests) }
        let empty = try bilet(["test", "--policies", noTests])
        #expect(empty.status == 1)
        #expect(empty.output.contains("no test cases"))
    }

    @Test func explainPrintsTheDecisionAndEveryApplicableRule() throws {
        let explained = try bilet([
            "explain", "--policies", Self.policies, "--case", "mentor sees first name and surname initial during the event",
        ])
        #expect(explained.status == 0, "\(explained.output)")
        let lines = explained.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "\"mentor sees first name and surname initial during the event\" (tests/mentor.test:4:1)")
        #expect(lines.contains("  expected: allow [first_name, surname as initial]"))
        #expect(lines.contains { $0.hasPrefix("  decision: allow fields [first_name, surname as initial] by [mentor.pupils.attendance-list] policy sha256:") })
        #expect(lines.contains("  permit mentor.pupils.attendance-list (mentor.policy:5:1): matched"))
        #expect(lines.contains { $0.hasPrefix("  forbid guard.pupil-self-only (guards.policy:") && $0.hasSuffix("): role not in scope") })

        let nothing = try bilet(["explain", "--policies", Self.policies, "--case", "no such case"])
        #expect(nothing.status == 1)
        #expect(nothing.output.contains("no matching test case"))
        #expect(try bilet(["explain", "--policies", Self.policies, "/nonexistent/request.test"]).status == 1)
    }

    @Test func diffExitsZeroOneOrTwo() throws {
        let same = try bilet(["diff", Self.policies, Self.policies])
        #expect(same.status == 0, "\(same.output)")
        #expect(same.output.contains(", 0 changed"))

        let shorter = try Self.copy { name, text in
            text.replacingOccurrences(of: "until 7 days after", with: "until 3 days after")
        }
        defer { try? FileManager.default.removeItem(atPath: shorter) }
        let changed = try bilet(["diff", Self.policies, shorter, "--limit", "1"])
        #expect(changed.status == 1)
        #expect(changed.output.contains("more"))

        #expect(try bilet(["diff", Self.policies, shorter + "/missing"]).status == 2)
        #expect(try bilet(["diff", Self.policies, shorter, "--limit", "-1"]).status != 0)
    }

    @Test(arguments: [["check"], ["test"], ["explain"], ["diff"]])
    func helpIsWrittenInSentences(subcommand: [String]) throws {
        let help = try bilet(subcommand + ["--help"])
        #expect(help.status == 0)
        #expect(help.output.contains("OVERVIEW: "))
        #expect(help.output.contains("Exits") || help.output.contains("exits"), "\(subcommand) says how it exits")
        // Every argument and option help is a sentence: it starts with a capital and ends with a full stop.
        // ArgumentParser puts the help text at column 27, continuation lines indented to it.
        let column = 26
        var current = ""
        var helps: [String] = []
        var inList = false
        for line in help.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("  <") || line.hasPrefix("  -") {
                if !current.isEmpty { helps.append(current) }
                inList = true
                current = line.count > column ? String(line.dropFirst(column)) : ""
            } else if inList, line.hasPrefix(String(repeating: " ", count: column)) {
                current += (current.isEmpty ? "" : " ") + line.trimmingCharacters(in: .whitespaces)
            } else {
                if !current.isEmpty { helps.append(current) }
                current = ""
                inList = false
            }
        }
        if !current.isEmpty { helps.append(current) }
        #expect(!helps.isEmpty)
        for text in helps {
            let sentence = text.trimmingCharacters(in: .whitespaces)
                .replacingOccurrences(of: #" \(default: [^)]*\)$"#, with: "", options: .regularExpression)
            #expect(sentence.first?.isUppercase == true && sentence.hasSuffix("."), "\(subcommand): \(sentence)")
        }
    }
}
