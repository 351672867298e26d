public import Foundation

/// Checks a test definition completely and reports every mistake at once, each naming its
/// section and question (``DefinitionIssue``).
///
/// A definition is accepted only when it has no issue at all; the accepted form
/// (``ValidatedTest``) is the only one the store saves, so a stored test always scores.
public struct DefinitionValidator: Sendable {
    /// The largest definition accepted, in bytes of JSON.
    public static let maximumBytes = 256 * 1024
    /// The most sections, questions (in the whole test) and options (per question).
    public static let maximumSections = 50
    public static let maximumQuestions = 300
    public static let maximumOptions = 30
    /// The longest title, question or option text, in characters.
    public static let maximumTextLength = 2000
    /// The largest weight of a score.
    public static let maximumWeight = 10.0

    /// What the validator says of a definition.
    public enum Validation: Sendable {
        /// Accepted: every rule kept.
        case accepted(ValidatedTest)
        /// Refused, with every issue found, in the order of the definition.
        case refused([DefinitionIssue])
    }

    /// The dimensions scores may name.
    public let catalogue: DimensionCatalogue

    /// A validator against `catalogue`.
    public init(catalogue: DimensionCatalogue = .standard) {
        self.catalogue = catalogue
    }

    /// Decodes and checks the JSON `data`: the accepted test, or every issue found.
    public func validate(json data: Data) -> Validation {
        guard data.count <= Self.maximumBytes else {
            return .refused([DefinitionIssue(.tooLarge, "the definition is \(data.count) bytes; at most \(Self.maximumBytes) are accepted")])
        }
        let definition: TestDefinition
        do {
            definition = try JSONDecoder().decode(TestDefinition.self, from: data)
        } catch let error as DecodingError {
            return .refused([Self.issue(for: error)])
        } catch {
            return .refused([DefinitionIssue(.malformed, "the definition is not JSON")])
        }
        return validate(definition)
    }

    /// Checks a decoded definition: the accepted test, or every issue found.
    public func validate(_ definition: TestDefinition) -> Validation {
        var issues: [DefinitionIssue] = []
        if let code = definition.code {
            if !Self.isCode(code) { issues.append(DefinitionIssue(.invalidCode, "the code must be 1 to 64 lower-case letters, digits and '-'")) }
        } else {
            issues.append(DefinitionIssue(.missing, "the test has no code"))
        }
        checkText(definition.title, "the test's title", section: nil, question: nil, into: &issues)
        if let version = definition.version {
            if version < 1 || version > 1_000_000 { issues.append(DefinitionIssue(.invalidVersion, "version \(version) is not a number from 1")) }
        } else {
            issues.append(DefinitionIssue(.missing, "the test has no version"))
        }
        if let limit = definition.timeLimitSeconds {
            if !(60...14_400).contains(limit) {
                issues.append(DefinitionIssue(.invalidTimeLimit, "time_limit_seconds \(limit) is not from 60 to 14400"))
            }
        } else {
            issues.append(DefinitionIssue(.missing, "the test has no time_limit_seconds"))
        }
        if let attempts = definition.maxAttempts {
            if !(1...10).contains(attempts) { issues.append(DefinitionIssue(.invalidAttempts, "max_attempts \(attempts) is not from 1 to 10")) }
        } else {
            issues.append(DefinitionIssue(.missing, "the test has no max_attempts"))
        }
        let sections = definition.sections ?? []
        if sections.isEmpty { issues.append(DefinitionIssue(.empty, "the test has no sections")) }
        if sections.count > Self.maximumSections {
            issues.append(DefinitionIssue(.tooMany, "the test has \(sections.count) sections; at most \(Self.maximumSections)"))
        }
        let total = sections.reduce(0) { $0 + ($1.questions?.count ?? 0) }
        if total > Self.maximumQuestions {
            issues.append(DefinitionIssue(.tooMany, "the test has \(total) questions; at most \(Self.maximumQuestions)"))
        }
        var seen: [String: Int] = [:]
        for (offset, section) in sections.prefix(Self.maximumSections).enumerated() {
            let number = offset + 1
            checkText(section.title, "the section's title", section: number, question: nil, into: &issues)
            let questions = section.questions ?? []
            if questions.isEmpty { issues.append(DefinitionIssue(.empty, section: number, "the section has no questions")) }
            for (position, question) in questions.prefix(Self.maximumQuestions).enumerated() {
                let name = question.id.flatMap { Self.isIdentifier($0) ? $0 : nil } ?? "#\(position + 1)"
                if let id = question.id {
                    if !Self.isIdentifier(id) {
                        issues.append(
                            DefinitionIssue(
                                .invalidIdentifier, section: number, question: name,
                                "the question's id must be 1 to 64 letters, digits, '_', '-' or '.'"))
                    } else if let first = seen[id] {
                        issues.append(DefinitionIssue(.duplicateID, section: number, question: name, "the id is used by a question of section \(first) already"))
                    } else {
                        seen[id] = number
                    }
                } else {
                    issues.append(DefinitionIssue(.missing, section: number, question: name, "the question has no id"))
                }
                check(question, section: number, name: name, into: &issues)
            }
        }
        guard issues.isEmpty else { return .refused(issues) }
        return .accepted(ValidatedTest(definition, catalogue: catalogue))
    }

    /// The checks of one question of its kind.
    private func check(_ question: TestDefinition.Question, section: Int, name: String, into issues: inout [DefinitionIssue]) {
        func add(_ code: DefinitionIssue.Code, _ message: String) {
            issues.append(DefinitionIssue(code, section: section, question: name, message))
        }
        checkText(question.text, "the question's text", section: section, question: name, into: &issues)
        guard let kindText = question.kind else { return add(.missing, "the question has no kind") }
        guard let kind = QuestionKind(rawValue: kindText) else {
            return add(.unknownKind, "kind \"\(Self.printable(kindText))\" is not single_choice, multiple_choice, scale or ordering")
        }
        switch kind {
        case .singleChoice, .multipleChoice:
            if question.items != nil { add(.unexpectedMember, "a \(kind.rawValue) question has options, not items") }
            if question.scale != nil || question.scores != nil { add(.unexpectedMember, "a \(kind.rawValue) question has no scale or scores of its own") }
            guard let options = question.options else { return add(.missing, "the question has no options") }
            if options.isEmpty { return add(.empty, "the question's options are empty") }
            if kind == .singleChoice, options.count < 2 { add(.tooFewItems, "a single_choice question needs at least 2 options, it has 1") }
            checkOptions(options, what: "option", section: section, name: name, into: &issues)
        case .ordering:
            if question.options != nil { add(.unexpectedMember, "an ordering question has items, not options") }
            if question.scale != nil || question.scores != nil { add(.unexpectedMember, "an ordering question has no scale or scores of its own") }
            guard let items = question.items else { return add(.missing, "the question has no items") }
            if items.count < 2 { add(.tooFewItems, "an ordering question needs at least 2 items, it has \(items.count)") }
            checkOptions(items, what: "item", section: section, name: name, into: &issues)
        case .scale:
            if question.options != nil || question.items != nil { add(.unexpectedMember, "a scale question has no options or items") }
            if let scale = question.scale {
                switch (scale.min, scale.max) {
                case (let low?, let high?):
                    if low >= high {
                        add(.invalidScale, "scale min \(low) is not below max \(high)")
                    } else if high - low > 100 {
                        add(.invalidScale, "scale from \(low) to \(high) has more than 100 steps")
                    }
                default: add(.missing, "the scale needs both min and max")
                }
            } else {
                add(.missing, "the question has no scale")
            }
            guard let scores = question.scores else { return add(.missing, "the scale question has no scores") }
            checkScores(scores, owner: "the question", section: section, name: name, into: &issues)
        }
    }

    private func checkOptions(
        _ options: [TestDefinition.Option], what: String, section: Int, name: String, into issues: inout [DefinitionIssue]
    ) {
        if options.count > Self.maximumOptions {
            issues.append(
                DefinitionIssue(.tooMany, section: section, question: name, "the question has \(options.count) \(what)s; at most \(Self.maximumOptions)"))
        }
        var ids: Set<String> = []
        for (position, option) in options.prefix(Self.maximumOptions).enumerated() {
            let label: String
            if let id = option.id, Self.isIdentifier(id) {
                label = "\(what) \"\(id)\""
                if !ids.insert(id).inserted {
                    issues.append(DefinitionIssue(.duplicateID, section: section, question: name, "\(label) appears twice"))
                }
            } else {
                label = "\(what) #\(position + 1)"
                issues.append(
                    DefinitionIssue(
                        option.id == nil ? .missing : .invalidIdentifier, section: section, question: name,
                        option.id == nil ? "\(label) has no id" : "\(label)'s id must be 1 to 64 letters, digits, '_', '-' or '.'"))
            }
            checkText(option.text, "\(label)'s text", section: section, question: name, into: &issues)
            checkScores(option.scores ?? [:], owner: label, section: section, name: name, into: &issues)
        }
    }

    private func checkScores(
        _ scores: [String: Double], owner: String, section: Int, name: String, into issues: inout [DefinitionIssue]
    ) {
        for (dimension, weight) in scores.sorted(by: { $0.key < $1.key }) {
            if !catalogue.contains(dimension) {
                issues.append(
                    DefinitionIssue(
                        .unknownDimension, section: section, question: name,
                        "\(owner) scores unknown dimension \"\(Self.printable(dimension))\""))
            }
            if !weight.isFinite || weight < 0 || weight > Self.maximumWeight {
                issues.append(
                    DefinitionIssue(
                        .invalidWeight, section: section, question: name,
                        "\(owner) gives \"\(Self.printable(dimension))\" weight \(weight); weights are from 0 to \(Int(Self.maximumWeight))"))
            }
        }
    }

    private func checkText(_ text: String?, _ what: String, section: Int?, question: String?, into issues: inout [DefinitionIssue]) {
        guard let text else { return issues.append(DefinitionIssue(.missing, section: section, question: question, "\(what) is missing")) }
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            issues.append(DefinitionIssue(.invalidText, section: section, question: question, "\(what) is empty"))
        } else if text.count > Self.maximumTextLength {
            issues.append(
                DefinitionIssue(.invalidText, section: section, question: question, "\(what) is longer than \(Self.maximumTextLength) characters"))
        }
    }

    /// A JSON decoding failure as one issue naming the member's path (never its value).
    static func issue(for error: DecodingError) -> DefinitionIssue {
        let context: DecodingError.Context? =
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
                context
            @unknown default: nil
            }
        let path = (context?.codingPath ?? []).map { key in key.intValue.map { "[\($0)]" } ?? ".\(key.stringValue)" }.joined()
        if path.isEmpty { return DefinitionIssue(.malformed, "the definition is not a JSON object of the test format") }
        return DefinitionIssue(.malformed, "member \(path.hasPrefix(".") ? String(path.dropFirst()) : path) has the wrong type")
    }

    /// Lower-case letters, digits and `-`, 1 to 64.
    static func isCode(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    /// Letters, digits, `_`, `-`, `.`; 1 to 64.
    static func isIdentifier(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count)
            && text.utf8.allSatisfy {
                (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E
            }
    }

    /// At most 64 characters of `text` with control characters dropped, to quote in a message.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(64)))
    }
}
