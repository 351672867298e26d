import Accounts
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
public import Pages

/// What every page route shares: the templates, the stylesheet, the CSRF tokens, and the answers
/// (a page with the pages' Content-Security-Policy, a redirect, an error page in Russian).
public struct PageKit: Sendable {
    public let renderer: PageRenderer
    public let assets: StaticAssets
    public let csrf: CSRFTokens

    /// Loads the templates and the stylesheet and makes this process's CSRF key.
    ///
    /// - Throws: ``PagesError`` when a resource is missing or broken, or no key can be made.
    public init() throws(PagesError) {
        self.renderer = try PageRenderer()
        self.assets = try StaticAssets()
        self.csrf = try CSRFTokens()
    }

    /// The layout's frame for `staff` (signed out when `nil`) with the CSRF token of `binding`.
    func frame(_ staff: StaffSession?, binding: String) throws(PagesError) -> PageFrame {
        var frame = PageFrame(
            stylesheet: assets.stylesheetPath, csrf: try csrf.token(for: binding), signedIn: staff != nil, menu: staff?.consentRecorded ?? false,
            school: staff.map { $0.role == .school && $0.consentRecorded } ?? false, role: staff.map { RussianFormat.role($0.role.rawValue) } ?? "")
        frame.officer = staff.map { $0.role == .complianceOfficer && $0.consentRecorded } ?? false
        frame.coordinator = staff.map { $0.role == .regionalCoordinator && $0.consentRecorded } ?? false
        frame.venue = staff.map { $0.role == .venue && $0.consentRecorded } ?? false
        frame.mentor = staff.map { $0.role == .mentor && $0.consentRecorded } ?? false
        frame.navigator = staff.map { $0.role == .navigator && $0.consentRecorded } ?? false
        frame.methodologist = staff.map { $0.role == .methodologist && $0.consentRecorded } ?? false
        frame.securityAdmin = staff.map { $0.role == .securityAdmin && $0.consentRecorded } ?? false
        return frame
    }

    /// The page `template` for the signed-in `staff`, answered with `status`.
    func page(
        _ template: PageTemplate, status: HTTPResponse.Status = .ok, staff: StaffSession, values: [String: Any] = [:]
    ) throws(PagesError) -> Response {
        let frame = try frame(staff, binding: CSRFTokens.binding(session: staff.sessionID))
        return Self.html(status, try renderer.render(template, frame: frame, values: values))
    }

    /// The error page: `status`, `message` in Russian, a link `back`; the layout is signed in when
    /// `staff` is given.
    func errorPage(_ status: HTTPResponse.Status, _ message: String, staff: StaffSession?, back: String = "/app/home") -> Response {
        let binding = staff.map { CSRFTokens.binding(session: $0.sessionID) } ?? "error"
        return errorPage(status, message, frame: try? frame(staff, binding: binding), back: back)
    }

    /// The error page inside `frame` (`nil`: it could not be made, the plain internal error).
    func errorPage(_ status: HTTPResponse.Status, _ message: String, frame: PageFrame?, back: String) -> Response {
        guard let frame, let html = try? renderer.render(.error, frame: frame, values: ["message": message, "status": status.code, "back": back])
        else { return Problem.internalError.response }
        return Self.html(status, html)
    }

    /// The error page of `problem` (a door refusal, an accounts error): its status, a Russian sentence.
    func errorPage(_ problem: Problem, staff: StaffSession?, back: String = "/app/home") -> Response {
        errorPage(problem.status, PageMessages.message(for: problem), staff: staff, back: back)
    }

    /// An HTML answer with the pages' Content-Security-Policy; never cached.
    static func html(_ status: HTTPResponse.Status, _ text: String, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: SecurityHeaders.pageContentSecurityPolicy,
            .cacheControl: "no-store",
        ]
        headers.append(contentsOf: extra)
        var buffer = ByteBuffer()
        buffer.writeString(text)
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// `303 See Other` to `path` (after a form, so that reloading does not post it again).
    static func redirect(_ path: String, headers extra: HTTPFields = [:]) -> Response {
        var headers: HTTPFields = [.location: path, .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(status: .seeOther, headers: headers)
    }
}
