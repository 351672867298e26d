extension Explanation {
    /// The text `bilet policy explain` prints for one test case: the case's name and place, the
    /// request, the decision, the expectation (marked `<-- differs` when the decision does not
    /// meet it), then one line per rule indexed under the request's action and resource type,
    /// forbids first, saying how it fared.
    ///
    /// ```
    /// "mentor sees …" (tests/mentor.test:4:1)
    ///   request: mentor read pupil "tok-a1" fields [first_name, surname] purpose event_attendance at 2025-10-10T12:00:00Z
    ///   decision: allow fields [first_name, surname as initial] by [mentor.pupils.attendance-list] policy sha256:…
    ///   expected: allow [first_name, surname as initial]
    ///   forbid guard.pupil-self-only (guards.policy:31:1): role not in scope
    ///   permit mentor.pupils.attendance-list (mentor.policy:5:1): matched
    /// ```
    ///
    /// Holds ids, field names and rule ids only: no attribute values beyond the entity ids the
    /// test file itself names.
    public func report(for testCase: PolicyTestCase) -> String {
        let request = testCase.request
        var lines = ["\"\(testCase.name)\" (\(testCase.location))"]
        lines.append(
            "  request: \(request.principal.role) \(request.action) \(request.resource.entity) "
                + "fields [\(request.fields.joined(separator: ", "))] purpose \(request.purpose) at \(request.time)")
        lines.append("  decision: \(decision)")
        let differs = testCase.expectation.isMet(by: decision) ? "" : "  <-- differs"
        lines.append("  expected: \(testCase.expectation)\(differs)")
        if evaluations.isEmpty {
            lines.append("  no rule applies to this action and resource type")
        }
        for evaluation in evaluations {
            lines.append("  \(evaluation)")
        }
        return lines.joined(separator: "\n")
    }
}
