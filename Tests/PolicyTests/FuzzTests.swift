import Foundation
import Policy
import Testing

/// SplitMix64: a small deterministic generator, so a failing input can be reproduced by seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Parser fuzzing")
struct FuzzTests {
    static let vocabulary: [String] = [
        "permit", "forbid", "principal", "action", "resource", "purpose", "context", "is", "in", "has", "when",
        "unless", "fields", "as", "until", "after", "days", "hours", "true", "false", "timestamp", "@id", "@doc",
        "(", ")", "{", "}", "[", "]", ",", ";", ".", ":", "@", "?", "=", "==", "!=", "<", "<=", ">", ">=", "&&",
        "||", "!", "+", "-", "->", "\"x\"", "\"2025-01-01\"", "\"", "0", "7", "18446744073709551616", "school",
        "pupil", "read", "surname", "initial", "enrolment", "organisation", "user", "enrolled_in", "run_by",
        "assigned_navigator", "//", "\n", " ", "\t", "é", "\u{0}", "\u{7F}", "entity", "relation", "role", "enum",
        "attributes", "masks", "special", "test", "expect", "allow", "deny",
    ]

    /// Checks one outcome: either success, or diagnostics that all carry a real location.
    static func located(_ error: PolicyLoadError) -> Bool {
        !error.diagnostics.isEmpty
            && error.diagnostics.allSatisfy { $0.location.line >= 1 && $0.location.column >= 1 && !$0.location.file.isEmpty }
    }

    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        let edits = Int.random(in: 1...4, using: &random)
        for _ in 0..<edits {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0 where !bytes.isEmpty:  // delete a range
                let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
                bytes.removeSubrange(position..<end)
            case 1:  // insert a token
                bytes.insert(contentsOf: Array(vocabulary.randomElement(using: &random)!.utf8), at: position)
            case 2 where !bytes.isEmpty:  // replace a byte with any byte, including invalid UTF-8
                bytes[position] = UInt8.random(in: 0...255, using: &random)
            case 3 where !bytes.isEmpty:  // duplicate a range
                let end = min(bytes.count, position + Int.random(in: 1...80, using: &random))
                bytes.insert(contentsOf: Array(bytes[position..<end]), at: position)
            case 4:  // truncate
                bytes.removeSubrange(position..<bytes.count)
            default:  // swap two bytes
                if bytes.count > 1 {
                    bytes.swapAt(position, Int.random(in: 0..<bytes.count, using: &random))
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func soup(_ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 0...60, using: &random)).map { _ in vocabulary.randomElement(using: &random)! }
            .joined(separator: Bool.random(using: &random) ? " " : "")
    }

    /// Splits a file into blank-line separated chunks (one rule, one test case, one declaration).
    static func chunks(_ text: String) -> [String] {
        text.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    }

    static func expectLocated(_ diagnostics: [PolicyDiagnostic], _ iteration: Int) -> Bool {
        let ok = diagnostics.allSatisfy { $0.location.line >= 1 && $0.location.column >= 1 && !$0.location.file.isEmpty }
        #expect(ok, "iteration \(iteration)")
        return diagnostics.isEmpty
    }

    @Test("20,000 random and mutated inputs: the loader returns a result or located diagnostics, never traps")
    func fuzz() throws {
        let schemaFile = try PolicySources.file(at: policiesDirectory + "/bilet.schema", path: "bilet.schema")
        let schema = try Schema.load([schemaFile])
        let policies = try PolicySources.policyFiles(in: policiesDirectory).filter { $0.path.hasSuffix(".policy") }
        let rules = policies.flatMap { FuzzTests.chunks($0.text) }
        let testChunks = try PolicySources.testFiles(in: policiesDirectory).flatMap { FuzzTests.chunks($0.text) }
        var random = SeededGenerator(state: 20_251_010)
        var accepted = 0
        var refused = 0
        func record(_ clean: Bool) {
            if clean { accepted += 1 } else { refused += 1 }
        }
        let start = ContinuousClock.now
        for iteration in 0..<20_000 {
            switch iteration {
            case 0..<11_000:  // one mutated rule, checked against the real schema
                let text = FuzzTests.mutate(rules.randomElement(using: &random)!, &random)
                record(FuzzTests.expectLocated(schema.check(policy: SourceFile(path: "rule.policy", text: text)), iteration))
            case 11_000..<11_600:  // a whole mutated policy file
                let base = policies.randomElement(using: &random)!
                let text = FuzzTests.mutate(base.text, &random)
                record(FuzzTests.expectLocated(schema.check(policy: SourceFile(path: base.path, text: text)), iteration))
            case 11_600..<12_000:  // a mutated policy file through the whole loader
                let base = policies.randomElement(using: &random)!
                let sources = [schemaFile, SourceFile(path: base.path, text: FuzzTests.mutate(base.text, &random))]
                do {
                    _ = try PolicySet.compile(sources, hasher: SHA256VersionHasher())
                    record(true)
                } catch {
                    #expect(!error.diagnostics.isEmpty)
                    record(FuzzTests.expectLocated(error.diagnostics, iteration))
                }
            case 12_000..<12_500:  // a mutated schema
                do {
                    _ = try Schema.load([SourceFile(path: "bilet.schema", text: FuzzTests.mutate(schemaFile.text, &random))])
                    record(true)
                } catch {
                    #expect(!error.diagnostics.isEmpty)
                    record(FuzzTests.expectLocated(error.diagnostics, iteration))
                }
            case 12_500..<14_500:  // token soup as a policy
                let text = FuzzTests.soup(&random)
                record(FuzzTests.expectLocated(schema.check(policy: SourceFile(path: "soup.policy", text: text)), iteration))
            case 14_500..<15_500:  // token soup as a schema
                do {
                    _ = try Schema.load([SourceFile(path: "soup.schema", text: FuzzTests.soup(&random))])
                    record(true)
                } catch {
                    record(FuzzTests.expectLocated(error.diagnostics, iteration))
                }
            default:  // a mutated test case or fixture, or token soup, as a test file
                let text =
                    iteration < 16_500
                    ? FuzzTests.soup(&random) : FuzzTests.mutate(testChunks.randomElement(using: &random)!, &random)
                do {
                    _ = try PolicyTestSuite.parse([SourceFile(path: "tests/fuzz.test", text: text)])
                    record(true)
                } catch {
                    #expect(!error.diagnostics.isEmpty)
                    record(FuzzTests.expectLocated(error.diagnostics, iteration))
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        #expect(accepted + refused == 20_000)
        #expect(refused > 10_000)  // most mutations break something
        #expect(accepted > 500)  // and some survive, so the checker runs past the parser
        print("fuzz: \(accepted) accepted, \(refused) refused in \(elapsed)")
    }
}
