import Foundation

/// Reads policy, schema and test files from a policy directory.
public enum PolicySources {
    /// The `*.schema` and `*.policy` files directly inside `directory`, with paths relative to it,
    /// sorted by path. Hidden files (editor locks and backups) are skipped.
    public static func policyFiles(in directory: String) throws(PolicyLoadError) -> [SourceFile] {
        try files(in: directory, prefix: "", suffixes: [".schema", ".policy"])
    }

    /// The `*.test` files in `directory/tests`, with paths like `tests/school.test`.
    public static func testFiles(in directory: String) throws(PolicyLoadError) -> [SourceFile] {
        try files(in: directory + "/tests", prefix: "tests/", suffixes: [".test"])
    }

    /// Reads one file; `path` names it in diagnostics. Refuses a file that cannot be read (a
    /// directory, a dangling link, no permission) or is not valid UTF-8: its bytes are never
    /// silently replaced, so the version always digests what is on disk.
    public static func file(at fullPath: String, path: String) throws(PolicyLoadError) -> SourceFile {
        guard let data = FileManager.default.contents(atPath: fullPath) else {
            throw PolicyLoadError([
                PolicyDiagnostic(.unreadableFile, at: SourceLocation(file: path, line: 1, column: 1), "cannot read file")
            ])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw PolicyLoadError([
                PolicyDiagnostic(
                    .unreadableFile, at: SourceLocation(file: path, line: 1, column: 1), "the file is not valid UTF-8")
            ])
        }
        return SourceFile(path: path, text: text)
    }

    private static func files(in directory: String, prefix: String, suffixes: [String]) throws(PolicyLoadError)
        -> [SourceFile]
    {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw PolicyLoadError([
                PolicyDiagnostic(
                    .unreadableFile, at: SourceLocation(file: directory, line: 1, column: 1), "cannot list directory")
            ])
        }
        var files: [SourceFile] = []
        for name in names.sorted() where !name.hasPrefix(".") && suffixes.contains(where: { name.hasSuffix($0) }) {
            files.append(try file(at: directory + "/" + name, path: prefix + name))
        }
        return files
    }
}
