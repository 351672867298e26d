/// A validated test compiled for scoring: each question's options resolved to positions and each
/// score to a dimension index, and the most each dimension can get, so that scoring a completed
/// test is a pure, allocation-light pass over its answers (`bilet-bench scoring`).
///
/// Scoring rules (docs/ASSESSMENT.md): a single choice adds the chosen option's weights; a
/// multiple choice adds each chosen option's; a scale answer `v` adds `weight × (v − min) / (max − min)`;
/// an ordering of `n` items adds to each item's weights `weight × (n − 1 − rank) / (n − 1)` (the
/// first item full weight, the last none). A dimension's score is its total as a share of the most
/// the test can give it, from 0 to 100, rounded.
public struct ScoringKey: Sendable {
    /// One weight: a dimension's index in ``dimensions`` and the weight.
    struct Weight: Sendable {
        let dimension: Int
        let value: Double
    }

    /// One question, compiled.
    struct Compiled: Sendable {
        let kind: QuestionKind
        /// Option or item id → position.
        let positions: [String: Int]
        /// The weights of each option or item (choice, ordering).
        let weights: [[Weight]]
        /// The scale's range and the weights of its maximum.
        let low: Int
        let high: Int
        let scaleWeights: [Weight]
        /// The dimensions the question can score, whatever the answer.
        let touches: [Int]
    }

    /// The dimensions this test scores (catalogue identifiers), in index order.
    public let dimensions: [String]
    /// The most each dimension can get.
    let maxima: [Double]
    /// Question id → compiled question.
    let questions: [String: Compiled]

    init(_ definition: TestDefinition, catalogue: DimensionCatalogue) {
        var dimensions: [String] = []
        var index: [String: Int] = [:]
        func weights(_ scores: [String: Double]?) -> [Weight] {
            (scores ?? [:]).sorted { $0.key < $1.key }.compactMap { dimension, value in
                guard value > 0 else { return nil }
                if index[dimension] == nil {
                    index[dimension] = dimensions.count
                    dimensions.append(dimension)
                }
                return Weight(dimension: index[dimension]!, value: value)
            }
        }
        var compiled: [String: Compiled] = [:]
        var perQuestionMaxima: [[Int: Double]] = []
        for section in definition.sections ?? [] {
            for question in section.questions ?? [] {
                guard let id = question.id, let kind = question.questionKind else { continue }
                let options = (kind == .ordering ? question.items : question.options) ?? []
                var positions: [String: Int] = [:]
                for (position, option) in options.enumerated() { positions[option.id ?? ""] = position }
                let optionWeights = options.map { weights($0.scores) }
                let scaleWeights = kind == .scale ? weights(question.scores) : []
                let touches = Set(optionWeights.flatMap { $0.map(\.dimension) } + scaleWeights.map(\.dimension)).sorted()
                let entry = Compiled(
                    kind: kind, positions: positions, weights: optionWeights, low: question.scale?.min ?? 0, high: question.scale?.max ?? 1,
                    scaleWeights: scaleWeights, touches: touches)
                compiled[id] = entry
                perQuestionMaxima.append(Self.maxima(of: entry))
            }
        }
        var maxima = Array(repeating: 0.0, count: dimensions.count)
        for question in perQuestionMaxima {
            for (dimension, most) in question { maxima[dimension] += most }
        }
        self.dimensions = dimensions
        self.maxima = maxima
        self.questions = compiled
    }

    /// The most one question can give each dimension.
    static func maxima(of question: Compiled) -> [Int: Double] {
        var most: [Int: Double] = [:]
        switch question.kind {
        case .singleChoice:
            for option in question.weights {
                for weight in option { most[weight.dimension] = max(most[weight.dimension] ?? 0, weight.value) }
            }
        case .multipleChoice:
            for option in question.weights {
                for weight in option { most[weight.dimension, default: 0] += weight.value }
            }
        case .scale:
            for weight in question.scaleWeights { most[weight.dimension, default: 0] += weight.value }
        case .ordering:
            // Rearrangement: per dimension, the largest weights in the first places.
            let count = question.weights.count
            var byDimension: [Int: [Double]] = [:]
            for item in question.weights {
                for weight in item { byDimension[weight.dimension, default: []].append(weight.value) }
            }
            for (dimension, values) in byDimension {
                var total = 0.0
                for (rank, value) in values.sorted(by: >).enumerated() { total += value * factor(rank: rank, of: count) }
                most[dimension] = total
            }
        }
        return most
    }

    /// The share of its weight the item at `rank` (from 0) of `count` gets.
    @inline(__always)
    static func factor(rank: Int, of count: Int) -> Double {
        count > 1 ? Double(count - 1 - rank) / Double(count - 1) : 1
    }

    /// The number of questions.
    public var questionCount: Int { questions.count }

    /// Whether `answer` is one `question` accepts: the question exists, the answer is of its kind,
    /// names only its options (distinct, at least one), a scale value in range, or an ordering of
    /// all its items, each once.
    public func accepts(_ answer: Answer, for question: String) -> Bool {
        guard let compiled = questions[question] else { return false }
        switch (compiled.kind, answer) {
        case (.singleChoice, .choice(let id)):
            return compiled.positions[id] != nil
        case (.multipleChoice, .choices(let ids)):
            return !ids.isEmpty && Set(ids).count == ids.count && ids.allSatisfy { compiled.positions[$0] != nil }
        case (.scale, .value(let value)):
            return (compiled.low...compiled.high).contains(value)
        case (.ordering, .order(let ids)):
            return ids.count == compiled.positions.count && Set(ids).count == ids.count && ids.allSatisfy { compiled.positions[$0] != nil }
        default:
            return false
        }
    }

    /// Scores `answers` (question id → answer). Pure: the same answers always give the same sheet.
    /// Answers to unknown questions and answers a question does not accept count as unanswered.
    /// The sheet has the dimensions some answered question can score: a dimension only
    /// unanswered questions aim at is left out (it says nothing about the pupil), not scored 0.
    public func score(_ answers: [String: Answer]) -> ScoreSheet {
        var totals = Array(repeating: 0.0, count: dimensions.count)
        var touched = Array(repeating: false, count: dimensions.count)
        var answered = 0
        for (question, answer) in answers {
            guard let compiled = questions[question] else { continue }
            if add(answer, compiled, to: &totals) {
                answered += 1
                for dimension in compiled.touches { touched[dimension] = true }
            }
        }
        var values = [Int?](repeating: nil, count: dimensions.count)
        for index in 0..<dimensions.count {
            let most = maxima[index]
            guard most > 0, touched[index] else { continue }
            values[index] = min(100, max(0, Int((100 * totals[index] / most).rounded())))
        }
        return ScoreSheet(dimensions: dimensions, values: values, answered: answered, questions: questions.count)
    }

    /// Adds one answer's weights to `totals`; false (nothing added) when the question does not accept it.
    private func add(_ answer: Answer, _ compiled: Compiled, to totals: inout [Double]) -> Bool {
        switch (compiled.kind, answer) {
        case (.singleChoice, .choice(let id)):
            guard let position = compiled.positions[id] else { return false }
            for weight in compiled.weights[position] { totals[weight.dimension] += weight.value }
        case (.multipleChoice, .choices(let ids)):
            // Options are at most 30: a bit per option finds a repeated choice without allocating.
            guard !ids.isEmpty, ids.count <= compiled.weights.count else { return false }
            var chosen: UInt64 = 0
            for id in ids {
                guard let position = compiled.positions[id], chosen & (1 << position) == 0 else { return false }
                chosen |= 1 << position
            }
            for position in 0..<compiled.weights.count where chosen & (1 << position) != 0 {
                for weight in compiled.weights[position] { totals[weight.dimension] += weight.value }
            }
        case (.scale, .value(let value)):
            guard (compiled.low...compiled.high).contains(value) else { return false }
            let share = Double(value - compiled.low) / Double(compiled.high - compiled.low)
            for weight in compiled.scaleWeights { totals[weight.dimension] += weight.value * share }
        case (.ordering, .order(let ids)):
            let count = compiled.weights.count
            guard ids.count == count else { return false }
            return withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { positions in
                var placed: UInt64 = 0
                for (rank, id) in ids.enumerated() {
                    guard let position = compiled.positions[id], placed & (1 << position) == 0 else { return false }
                    placed |= 1 << position
                    positions[rank] = position
                }
                for rank in 0..<count {
                    let factor = Self.factor(rank: rank, of: count)
                    for weight in compiled.weights[positions[rank]] { totals[weight.dimension] += weight.value * factor }
                }
                return true
            }
        default:
            return false
        }
        return true
    }
}
