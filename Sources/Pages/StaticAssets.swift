import Foundation
import GnuTLS

/// The pages' static files, served from this target's resources: the stylesheet, named by its
/// content hash so that it can be cached for a year and a changed file is a new name.
public struct StaticAssets: Sendable {
    /// The path every static file is served under.
    public static let prefix = "/app/static/"

    /// The stylesheet's bytes.
    public let stylesheet: [UInt8]
    /// The stylesheet's file name: `bilet-<12 hex digits of its SHA-256>.css`.
    public let stylesheetName: String

    /// The stylesheet's path (``prefix`` and ``stylesheetName``).
    public var stylesheetPath: String { Self.prefix + stylesheetName }

    /// `Cache-Control` of a hashed file: a year, never revalidated.
    public static let cacheControl = "public, max-age=31536000, immutable"

    /// Reads the files.
    ///
    /// - Throws: ``PagesError/Code/resourcesMissing``, ``PagesError/Code/crypto``.
    public init() throws(PagesError) {
        guard let url = Bundle.module.url(forResource: "Static", withExtension: nil)?.appendingPathComponent("bilet.css"),
            let data = try? Data(contentsOf: url)
        else { throw PagesError(.resourcesMissing, "Static/bilet.css") }
        self.stylesheet = Array(data)
        let digest: [UInt8]
        do {
            digest = try Digest.hash(.sha256, of: self.stylesheet)
        } catch {
            throw PagesError(.crypto, "stylesheet digest")
        }
        self.stylesheetName = "bilet-" + digest.prefix(6).map { String(format: "%02x", $0) }.joined() + ".css"
    }
}
