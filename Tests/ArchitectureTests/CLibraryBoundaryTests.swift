import Foundation
import Testing

/// Each C library is wrapped once, in one target; nothing else may import it.
@Suite struct CLibraryBoundaryTests {
    static let owners = ["CGnuTLS": "GnuTLS", "CArgon2": "Argon2", "CLibPQ": "PostgreSQL"]

    @Test(arguments: owners.keys.sorted())
    func onlyTheWrapperImports(module: String) throws {
        let sources = SourceTree.root.appendingPathComponent("Sources")
        var offenders: [String] = []
        for file in try SourceTree.swiftFiles(under: sources) {
            let target = file.path.dropFirst(sources.path.count + 1).split(separator: "/").first.map(String.init)
            guard target != Self.owners[module] else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            if SourceTree.imports(text, module) { offenders.append(file.lastPathComponent) }
        }
        #expect(offenders == [], "\(module) is imported outside \(Self.owners[module]!)")
    }

    @Test func detectorSeesAnImport() {
        #expect(SourceTree.imports("import Foundation\n@_implementationOnly import CLibPQ\n", "CLibPQ"))
        #expect(SourceTree.imports("public import CGnuTLS", "CGnuTLS"))
        #expect(!SourceTree.imports("import CLibPQExtras\n// import CLibPQ", "CLibPQ"))
    }
}

enum SourceTree {
    /// The package root, found from this file's location.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func swiftFiles(under directory: URL) throws -> [URL] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        return (enumerator?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    /// Whether `text` has an import declaration of exactly `module` (any access level or attribute).
    static func imports(_ text: String, _ module: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let index = words.firstIndex(of: "import"), index + 1 < words.count else { return false }
            let before = words[..<index]
            guard before.allSatisfy({ $0.hasPrefix("@") || ["public", "internal", "package", "private", "fileprivate"].contains($0) })
            else { return false }
            return words[index + 1] == module[...]
        }
    }
}
