import Accounts
import Assessment
import AssessmentHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

/// Taking a test, one question a page, every answer saved as it is given (so a pupil whose phone
/// sleeps, or who closes the browser, continues where they were), through the very store calls of
/// the pupil's assessment routes with the session's own assessment token
/// (``AssessmentRoutes/Dependencies/ownToken(of:)``):
///
/// - `GET /app/pupil/tests`: the assigned tests (`GET /v1/pupil/assessment/assignments`) with a
///   button to start or continue, and the results (`GET …/results`);
/// - `POST /app/pupil/tests/{assignment}/start`: `POST …/assignments/{id}/session`, `303` to its first question;
/// - `GET /app/pupil/sessions/{id}?question=N`: question N with the saved answer (`GET …/sessions/{id}`);
/// - `POST /app/pupil/sessions/{id}/answers/{question}`: `PUT …/answers/{question}`, `303` to the next question;
/// - `POST /app/pupil/sessions/{id}/submit`: `POST …/submit`, `303` to the tests with the result.
///
/// Another pupil's assignment or session is the API's `404`; a refusal is its status and a Russian sentence.
extension PupilPages {
    /// One assigned test on the list.
    struct AssignmentRow {
        let id: String
        let title: String
        let due: String
        let attempts: String
        let canStart: Bool
    }

    /// One result on the list.
    struct ResultRow {
        let test: String
        let completed: String
        let answered: String
        let outcome: String
    }

    /// One choice of a question (an option, a scale point, a position).
    struct Choice {
        let id: String
        let value: String
        let text: String
        let checked: Bool
    }

    /// One item of an ordering question with its chosen position.
    struct OrderItem {
        let id: String
        let text: String
        let positions: [Choice]
    }

    static func addTests(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, _ dependencies: Dependencies) {
        let assessment = dependencies.assessment
        let store = assessment.store
        pages.get("tests") { request, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                let token = try await assessment.ownToken(of: pupil)
                let assignments = try await store.assignments(for: token).map { assignment in
                    AssignmentRow(
                        id: assignment.id.uuidString.lowercased(), title: assignment.title,
                        due: assignment.dueAt.map(RussianFormat.dateTime) ?? "без срока",
                        attempts: "\(assignment.attemptsUsed) из \(assignment.maxAttempts)", canStart: assignment.attemptsUsed < assignment.maxAttempts)
                }
                let results = try await store.results(for: token).map { result in
                    ResultRow(
                        test: result.testCode, completed: RussianFormat.dateTime(result.completedAt),
                        answered: "\(result.sheet.answered) из \(result.sheet.questions)",
                        outcome: result.outcome == .expired ? "время вышло" : "завершён")
                }
                return try kit.pupilPage(
                    .pupilTests, pupil: pupil,
                    values: [
                        "tests": assignments, "hasTests": !assignments.isEmpty, "results": results, "hasResults": !results.isEmpty,
                        "submitted": request.uri.queryParameters["submitted"] != nil,
                    ])
            }
        }
        pages.post("tests/:assignment/start") { _, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                guard let id = UUID(uuidString: try context.parameters.require("assignment")) else {
                    throw AssessmentError(.assignmentNotFound, "not an id")
                }
                let session = try await store.start(
                    assignment: id, pupil: try await assessment.ownToken(of: pupil), key: PupilAssessmentRoutes.resultKey(of: pupil))
                return PageKit.redirect("/app/pupil/sessions/\(session.id.uuidString.lowercased())?question=1")
            }
        }
        pages.get("sessions/:id") { request, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                let id = try sessionID(context)
                let session = try await store.session(
                    id, pupil: try await assessment.ownToken(of: pupil), key: PupilAssessmentRoutes.resultKey(of: pupil))
                let questions = (session.test.sections ?? []).flatMap { $0.questions ?? [] }
                guard session.status == .open else { return PageKit.redirect("/app/pupil/tests?submitted=1") }
                guard !questions.isEmpty else { throw AssessmentError(.sessionNotFound, "a test without questions") }
                let number = min(max(request.uri.queryParameters["question"].flatMap { Int($0) } ?? 1, 1), questions.count)
                let question = questions[number - 1]
                var values: [String: Any] = [
                    "session": id.uuidString.lowercased(), "question": question.id ?? "", "text": question.text ?? "",
                    "number": number, "count": questions.count, "answered": session.answers.count, "deadline": RussianFormat.dateTime(session.deadline),
                    "next": number < questions.count ? number + 1 : number, "last": number == questions.count,
                    "previous": number > 1 ? number - 1 : 0, "hasPrevious": number > 1, "saved": session.answers[question.id ?? ""] != nil,
                ]
                let saved = session.answers[question.id ?? ""]
                switch question.questionKind {
                case .singleChoice:
                    values["single"] = (question.options ?? []).map { option in
                        Choice(id: option.id ?? "", value: option.id ?? "", text: option.text ?? "", checked: saved == .choice(option.id ?? ""))
                    }
                case .multipleChoice:
                    let chosen: [String] = if case .choices(let ids) = saved { ids } else { [] }
                    values["multiple"] = (question.options ?? []).map { option in
                        Choice(id: option.id ?? "", value: "on", text: option.text ?? "", checked: chosen.contains(option.id ?? ""))
                    }
                case .scale:
                    let low = question.scale?.min ?? 1
                    let high = max(question.scale?.max ?? 5, low)
                    values["scale"] = (low...high).map { point in
                        Choice(id: String(point), value: String(point), text: String(point), checked: saved == .value(point))
                    }
                case .ordering:
                    let items = question.items ?? []
                    let order: [String] = if case .order(let ids) = saved { ids } else { items.map { $0.id ?? "" } }
                    values["ordering"] = items.map { item in
                        let position = (order.firstIndex(of: item.id ?? "") ?? 0) + 1
                        return OrderItem(
                            id: item.id ?? "", text: item.text ?? "",
                            positions: (1...max(items.count, 1)).map { Choice(id: "\(item.id ?? "")-\($0)", value: String($0), text: String($0), checked: $0 == position) })
                    }
                case nil:
                    break
                }
                return try kit.pupilPage(.pupilQuestion, pupil: pupil, values: values)
            }
        }
        pages.post("sessions/:id/answers/:question") { request, context -> Response in
            let pupil = try context.requirePupil()
            let form = try await CSRFMiddleware.form(request)
            return await guarded(kit, pupil) {
                let id = try sessionID(context)
                let questionID = try context.parameters.require("question")
                let token = try await assessment.ownToken(of: pupil)
                let key = PupilAssessmentRoutes.resultKey(of: pupil)
                let session = try await store.session(id, pupil: token, key: key)
                let questions = (session.test.sections ?? []).flatMap { $0.questions ?? [] }
                guard let index = questions.firstIndex(where: { $0.id == questionID }) else {
                    throw AssessmentError(.invalidAnswer, "no such question in the test")
                }
                let next = form["next"].flatMap(Int.init) ?? (index + 2)
                guard let answer = Self.answer(to: questions[index], form) else {
                    // nothing chosen: stay on the question
                    return PageKit.redirect("/app/pupil/sessions/\(id.uuidString.lowercased())?question=\(index + 1)")
                }
                try await store.answer(answer, to: questionID, in: id, pupil: token, key: key)
                return PageKit.redirect("/app/pupil/sessions/\(id.uuidString.lowercased())?question=\(min(max(next, 1), questions.count))")
            }
        }
        pages.post("sessions/:id/submit") { _, context -> Response in
            let pupil = try context.requirePupil()
            return await guarded(kit, pupil) {
                _ = try await store.submit(
                    try sessionID(context), pupil: try await assessment.ownToken(of: pupil), key: PupilAssessmentRoutes.resultKey(of: pupil))
                return PageKit.redirect("/app/pupil/tests?submitted=1")
            }
        }
    }

    /// The answer a question's form gives; nil when nothing was chosen.
    static func answer(to question: TestDefinition.Question, _ form: FormValues) -> Answer? {
        switch question.questionKind {
        case .singleChoice:
            return form["choice"].map(Answer.choice)
        case .multipleChoice:
            let ids = (question.options ?? []).compactMap(\.id).filter { form["choice-\($0)"] == "on" }
            return ids.isEmpty ? nil : .choices(ids)
        case .scale:
            return form["value"].flatMap(Int.init).map(Answer.value)
        case .ordering:
            let items = (question.items ?? []).compactMap(\.id)
            let positions = items.map { (id: $0, position: form["position-\($0)"].flatMap(Int.init) ?? Int.max) }
            return .order(positions.sorted { $0.position < $1.position }.map(\.id))
        case nil:
            return nil
        }
    }

    /// The session id of the path; a malformed one answers as an unknown one.
    static func sessionID(_ context: BiletRequestContext) throws -> UUID {
        guard let id = UUID(uuidString: try context.parameters.require("id")) else {
            throw AssessmentError(.sessionNotFound, "not an id")
        }
        return id
    }

    /// Runs `body`; a refusal it throws (the door's, the store's, the audit log's) is the error
    /// page with the API's status.
    static func guarded(_ kit: PageKit, _ pupil: PupilSession, _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as any HTTPProblemConvertible {
            return kit.pupilErrorPage(error.problem, pupil: pupil)
        } catch {
            return kit.pupilErrorPage(Problem.internalError, pupil: pupil)
        }
    }
}
