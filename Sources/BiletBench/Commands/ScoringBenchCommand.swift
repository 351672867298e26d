import ArgumentParser
import Assessment
import Foundation

/// `bilet-bench scoring`: scores completed tests with the assessment module's pure scoring
/// function (``ScoringKey/score(_:)``) on one core.
///
/// The test is synthetic: `--questions` questions cycling through the four kinds (single choice,
/// multiple choice, scale, ordering), each option scoring two catalogue dimensions; every pupil's
/// answers are drawn from a seeded generator (4,096 distinct answer sets, cycled), so runs are
/// repeatable. Target, release build:
/// 100,000 tests at 20,000 tests/s or more.
struct ScoringBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scoring",
        abstract: "Measures scoring completed tests onto footprint dimensions (one core).")

    @Option(help: "Completed tests to score.")
    var tests: Int = 100_000

    @Option(help: "Questions per test.")
    var questions: Int = 40

    @Option(help: "Seed of the answer generator.")
    var seed: UInt64 = 11

    /// How many different answer sets are generated and cycled through.
    static let distinctAnswerSets = 4_096

    func validate() throws {
        guard tests > 0, (4...DefinitionValidator.maximumQuestions).contains(questions) else {
            throw ValidationError("tests positive; questions 4 to \(DefinitionValidator.maximumQuestions)")
        }
    }

    func run() async throws {
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        var random = SplitMix64(seed: seed)
        let definition = Self.definition(questions: questions, random: &random)
        guard case .accepted(let test) = DefinitionValidator().validate(definition) else {
            throw ValidationError("the synthetic test does not validate")
        }
        // Distinct pupils' answers, cycled: the memory of 100,000 answer sets would measure the allocator.
        let answers = (0..<min(tests, Self.distinctAnswerSets)).map { _ in Self.answers(to: definition, random: &random) }
        let key = test.key
        let clock = ContinuousClock()
        var checksum = 0
        let elapsed = clock.measure {
            for index in 0..<tests {
                let scored = key.score(answers[index % answers.count])
                checksum &+= scored.answered &+ scored.scoredCount
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(tests) / max(seconds, 1e-9)
        print(
            String(
                format: "scoring: %d tests of %d questions (%d dimensions) in %.3f s: %.0f tests/s on one core (checksum %d)",
                tests, questions, key.dimensions.count, seconds, rate, checksum))
        print(rate >= 20_000 ? "target met: at least 20,000 tests/s" : "target missed: fewer than 20,000 tests/s")
    }

    /// A synthetic test of `count` questions over the catalogue's dimensions.
    static func definition(questions count: Int, random: inout SplitMix64) -> TestDefinition {
        let dimensions = DimensionCatalogue.standard.dimensions.map(\.id)
        func scores() -> [String: Double] {
            var scores: [String: Double] = [:]
            for _ in 0..<2 { scores[dimensions[Int(random.next() % UInt64(dimensions.count))]] = Double(1 + random.next() % 5) }
            return scores
        }
        func options(_ n: Int) -> [TestDefinition.Option] {
            (0..<n).map { TestDefinition.Option(id: "o\($0)", text: "Option \($0)", scores: scores()) }
        }
        var questions: [TestDefinition.Question] = []
        for index in 0..<count {
            let id = "q\(index + 1)"
            switch index % 4 {
            case 0: questions.append(TestDefinition.Question(id: id, kind: "single_choice", text: "Question", options: options(4)))
            case 1: questions.append(TestDefinition.Question(id: id, kind: "multiple_choice", text: "Question", options: options(5)))
            case 2:
                questions.append(
                    TestDefinition.Question(id: id, kind: "scale", text: "Question", scale: TestDefinition.Scale(min: 1, max: 5), scores: scores()))
            default: questions.append(TestDefinition.Question(id: id, kind: "ordering", text: "Question", items: options(4)))
            }
        }
        let sections = stride(from: 0, to: questions.count, by: 10).map {
            TestDefinition.Section(title: "Section", questions: Array(questions[$0..<min($0 + 10, questions.count)]))
        }
        return TestDefinition(code: "bench", title: "Benchmark", version: 1, timeLimitSeconds: 3600, maxAttempts: 1, sections: sections)
    }

    /// One pupil's answers to every question of `definition`.
    static func answers(to definition: TestDefinition, random: inout SplitMix64) -> [String: Answer] {
        var answers: [String: Answer] = [:]
        for question in (definition.sections ?? []).flatMap({ $0.questions ?? [] }) {
            guard let id = question.id else { continue }
            let ids = ((question.questionKind == .ordering ? question.items : question.options) ?? []).compactMap(\.id)
            switch question.questionKind {
            case .singleChoice: answers[id] = .choice(ids[Int(random.next() % UInt64(ids.count))])
            case .multipleChoice: answers[id] = .choices(ids.filter { _ in random.next() % 2 == 0 }.ifEmpty([ids[0]]))
            case .scale: answers[id] = .value(1 + Int(random.next() % 5))
            case .ordering:
                var order = ids
                for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
                answers[id] = .order(order)
            case nil: continue
            }
        }
        return answers
    }
}

/// A small seeded generator (SplitMix64), so benchmark answers repeat run to run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    /// The array, or `fallback` when it is empty.
    fileprivate func ifEmpty(_ fallback: [Element]) -> [Element] { isEmpty ? fallback : self }
}
