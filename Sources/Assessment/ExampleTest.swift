/// The example test of docs/ASSESSMENT.md, with every kind of question: what the tests, the
/// benchmark and a methodologist's first upload start from.
public enum ExampleTest {
    /// `career-interests-7`, version 1: 3 sections, 6 questions, 30 minutes, one attempt.
    public static func definition(code: String = "career-interests-7", version: Int = 1, maxAttempts: Int = 1) -> TestDefinition {
        typealias Option = TestDefinition.Option
        typealias Question = TestDefinition.Question
        return TestDefinition(
            code: code, title: "Career interests, grade 7", version: version, timeLimitSeconds: 1800, maxAttempts: maxAttempts,
            sections: [
                TestDefinition.Section(
                    title: "What you like",
                    questions: [
                        Question(
                            id: "q1", kind: "single_choice", text: "Which school club would you join?",
                            options: [
                                Option(id: "a", text: "Robotics", scores: ["sphere.engineering": 2, "competency.robotics": 3]),
                                Option(id: "b", text: "School newspaper", scores: ["sphere.media": 2, "competency.writing": 3]),
                                Option(id: "c", text: "Programming", scores: ["sphere.it": 3, "competency.programming": 3]),
                            ]),
                        Question(
                            id: "q2", kind: "multiple_choice", text: "What do you enjoy? Choose all that apply.",
                            options: [
                                Option(id: "a", text: "Helping others", scores: ["sphere.medicine": 1, "soft.emotional_intelligence": 2]),
                                Option(id: "b", text: "Building things", scores: ["sphere.engineering": 1, "competency.mechanics": 2]),
                                Option(id: "c", text: "Puzzles", scores: ["sphere.it": 1, "soft.critical_thinking": 2]),
                            ]),
                    ]),
                TestDefinition.Section(
                    title: "How you work",
                    questions: [
                        Question(
                            id: "q3", kind: "scale", text: "I like working in a team.", scale: TestDefinition.Scale(min: 1, max: 5),
                            scores: ["soft.teamwork": 4]),
                        Question(
                            id: "q4", kind: "scale", text: "I finish what I start.", scale: TestDefinition.Scale(min: 1, max: 5),
                            scores: ["soft.responsibility": 4, "soft.self_organisation": 2]),
                    ]),
                TestDefinition.Section(
                    title: "What you know",
                    questions: [
                        Question(
                            id: "q5", kind: "ordering", text: "Order these from most to least interesting.",
                            items: [
                                Option(id: "x", text: "Writing code", scores: ["sphere.it": 3]),
                                Option(id: "y", text: "Treating patients", scores: ["sphere.medicine": 3]),
                                Option(id: "z", text: "Designing buildings", scores: ["sphere.construction": 3]),
                            ]),
                        Question(
                            id: "q6", kind: "single_choice", text: "What does a systems analyst do?",
                            options: [
                                Option(id: "a", text: "Describes what a program must do", scores: ["awareness.level": 2]),
                                Option(id: "b", text: "Repairs computers", scores: [:]),
                            ]),
                    ]),
            ])
    }
}
