import Foundation
import Mustache

/// Renders the pages: the templates of this target's resources (`Templates/*.mustache`), each
/// inside `layout.mustache`, HTML-escaped by default (`{{value}}`), never with a value put into a
/// script or a style.
///
/// Templates are parsed once, at start-up; a missing or broken template fails there
/// (``PagesError``), not on a request.
public struct PageRenderer: Sendable {
    private let library: MustacheLibrary

    /// Loads and parses every template.
    ///
    /// - Throws: ``PagesError/Code/resourcesMissing``, ``PagesError/Code/templateInvalid``.
    public init() throws(PagesError) {
        guard let directory = Bundle.module.url(forResource: "Templates", withExtension: nil) else {
            throw PagesError(.resourcesMissing, "Templates")
        }
        var library = MustacheLibrary()
        for name in ["layout", "form-fields"] + PageTemplate.allCases.map(\.rawValue) {
            let url = directory.appendingPathComponent(name + ".mustache")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw PagesError(.resourcesMissing, name) }
            do {
                try library.register(text, named: name)
            } catch {
                throw PagesError(.templateInvalid, name)
            }
        }
        self.library = library
    }

    /// The HTML of `template` inside the layout: `frame` as `frame`, the title, and `values` at the
    /// top level.
    ///
    /// - Throws: ``PagesError/Code/templateUnknown`` (not for a case of ``PageTemplate``).
    public func render(_ template: PageTemplate, frame: PageFrame, values: [String: Any] = [:]) throws(PagesError) -> String {
        var context = values
        context["title"] = template.title
        context["frame"] = frame
        guard let html = library.render(context, withTemplate: template.rawValue) else {
            throw PagesError(.templateUnknown, template.rawValue)
        }
        return html
    }
}
