import Accounts
import Assessment
import AssessmentHTTP
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Pages

/// The methodologist's page (`/app/tests`): the test versions, uploading a definition with the
/// validator's refusals shown next to their lines, and publishing a draft. Each action calls what
/// the `/v1/assessment/tests` routes call (``AssessmentRoutes/versions(for:_:)``,
/// ``AssessmentRoutes/authoriseUpload(_:_:)`` and ``AssessmentRoutes/upload(_:as:_:)``,
/// ``AssessmentRoutes/publish(code:version:as:_:)``): the same policy decision on
/// `assessment_test` for `test_authoring`, the same audit records, the same store.
enum MethodologistPages {
    /// Adds `GET|POST /app/tests` and `POST /app/tests/{code}/versions/{version}/publish` to `pages`.
    static func add(to pages: RouterGroup<BiletRequestContext>, _ kit: PageKit, assessment: AssessmentRoutes.Dependencies) {
        pages.get("tests") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .methodologist else { return kit.notForRole(staff, whose) }
            return try await page(kit, staff, assessment)
        }
        pages.post("tests") { request, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .methodologist else { return kit.notForRole(staff, whose) }
            let form = try await CSRFMiddleware.multipart(request)
            let file = form?.part("file").map(\.content) ?? []
            let definition = file.isEmpty ? Array((form?["definition"] ?? "").utf8) : file
            let text = String(decoding: definition, as: UTF8.self)
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return try await page(kit, staff, assessment, status: .unprocessableContent, values: ["message": "Вставьте определение теста или выберите файл."])
            }
            let uploaded: TestVersion
            do {
                try await AssessmentRoutes.authoriseUpload(staff, assessment)
                uploaded = try await AssessmentRoutes.upload(Data(definition), as: staff, assessment)
            } catch let error as AssessmentError where error.code == .invalidDefinition {
                let issues = error.issues.map {
                    TestDefinitionPage.issue(code: $0.code.rawValue, section: $0.section, question: $0.question, detail: $0.description, in: text)
                }
                return try await page(
                    kit, staff, assessment, status: .unprocessableContent,
                    values: ["refused": true, "issues": issues, "issueCount": issues.count, "definition": text])
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff, back: "/app/tests")
            }
            return try await page(
                kit, staff, assessment, status: .created,
                values: ["uploaded": true, "uploadedCode": uploaded.code, "uploadedVersion": uploaded.version])
        }
        pages.post("tests/:code/versions/:version/publish") { _, context -> Response in
            let staff = try context.requireStaff()
            guard staff.role == .methodologist else { return kit.notForRole(staff, whose) }
            guard let code = context.parameters.get("code"), let version = context.parameters.get("version").flatMap({ Int($0) }) else {
                return kit.errorPage(.notFound, "Такой версии теста нет.", staff: staff, back: "/app/tests")
            }
            let published: TestVersion
            do {
                published = try await AssessmentRoutes.publish(code: code, version: version, as: staff, assessment)
            } catch let error as any HTTPProblemConvertible {
                return kit.errorPage(error.problem, staff: staff, back: "/app/tests")
            }
            return try await page(
                kit, staff, assessment, values: ["published": true, "publishedCode": published.code, "publishedVersion": published.version])
        }
    }

    /// The tests page with the versions the policy lets `staff` list, and `values` (a result, refusals).
    static func page(
        _ kit: PageKit, _ staff: StaffSession, _ assessment: AssessmentRoutes.Dependencies, status: HTTPResponse.Status = .ok,
        values: [String: Any] = [:]
    ) async throws -> Response {
        let versions: [TestVersion]
        do {
            versions = try await AssessmentRoutes.versions(for: staff, assessment)
        } catch let error as any HTTPProblemConvertible {
            return kit.errorPage(error.problem, staff: staff, back: "/app/home")
        }
        let rows = versions.map {
            TestDefinitionPage.Version(
                code: $0.code, version: $0.version, title: $0.title, isDraft: $0.state == .draft, uploaded: RussianFormat.dateTime($0.uploadedAt),
                published: $0.publishedAt.map(RussianFormat.dateTime) ?? "—")
        }
        return try kit.page(
            .tests, status: status, staff: staff,
            values: values.merging(["versions": rows, "hasVersions": !rows.isEmpty, "versionCount": rows.count]) { first, _ in first })
    }

    /// Whose pages these are, in the refusal to another role.
    static let whose = "методистов"
}
