import Foundation
import Testing

/// ARCHITECTURE.md invariant 2: the module targets (assessment, trials, recommendations) cannot
/// see personal data by construction. They depend on the token types and PostgreSQL only; no path
/// in the target graph, direct or transitive, reaches the vault, the decryption code (GnuTLS,
/// Argon2) or the policy engine.
///
/// The graph is read from `swift package dump-package`, the manifest as SwiftPM itself sees it.
@Suite("Module isolation (invariant 2)")
struct ModuleIsolationTests {
    static let modules = ["Assessment", "Trials", "Recommendations"]
    /// What a module must never reach.
    static let forbidden: Set<String> = ["Vault", "GnuTLS", "CGnuTLS", "Argon2", "CArgon2", "Policy", "Audit"]
    /// What a module may list directly.
    static let allowedDirect: Set<String> = ["Tokens", "PostgreSQL"]

    @Test("no module target reaches the vault, GnuTLS, Argon2 or the policy engine, directly or transitively", arguments: modules)
    func noPathToDecryption(module: String) throws {
        let graph = try TargetGraph.load()
        #expect(graph.dependencies[module] != nil, "\(module) is not a target of the package")
        let paths = graph.paths(from: module, toAnyOf: Self.forbidden)
        #expect(paths.isEmpty, "\(module) reaches \(paths.map { $0.joined(separator: " → ") })")
    }

    @Test("module targets list only Tokens and PostgreSQL", arguments: modules)
    func directDependencies(module: String) throws {
        let graph = try TargetGraph.load()
        let direct = Set(graph.dependencies[module] ?? [])
        #expect(direct.isSubset(of: Self.allowedDirect), "\(module) depends on \(direct.subtracting(Self.allowedDirect).sorted())")
        #expect(direct.contains("Tokens"))
    }

    @Test("the token types depend on nothing")
    func tokensStandAlone() throws {
        let graph = try TargetGraph.load()
        #expect(graph.dependencies["Tokens"] == [])
    }

    @Test("module sources import none of the forbidden modules", arguments: modules)
    func noForbiddenImports(module: String) throws {
        let directory = SourceTree.root.appendingPathComponent("Sources/\(module)")
        var offenders: [String] = []
        for file in try SourceTree.swiftFiles(under: directory) {
            let text = try String(contentsOf: file, encoding: .utf8)
            for name in Self.forbidden.sorted() where SourceTree.imports(text, name) {
                offenders.append("\(file.lastPathComponent) imports \(name)")
            }
        }
        #expect(offenders == [])
    }

    // The checks above must be able to fail: the same path search over made-up graphs.

    @Test("the path search finds a transitive path to the vault")
    func detectsTransitivePath() {
        let graph = TargetGraph(dependencies: [
            "Assessment": ["Tokens", "Helpers"], "Helpers": ["Logging", "Vault"], "Vault": ["GnuTLS"], "Tokens": [],
            "GnuTLS": ["CGnuTLS"], "CGnuTLS": [],
        ])
        #expect(graph.paths(from: "Assessment", toAnyOf: ["Vault"]) == [["Assessment", "Helpers", "Vault"]])
        #expect(graph.paths(from: "Assessment", toAnyOf: ["CGnuTLS"]) == [["Assessment", "Helpers", "Vault", "GnuTLS", "CGnuTLS"]])
    }

    @Test("the path search finds a direct dependency and survives cycles")
    func detectsDirectPath() {
        let graph = TargetGraph(dependencies: ["Trials": ["Policy", "Trials"], "Policy": ["GnuTLS"], "GnuTLS": ["Policy"]])
        #expect(graph.paths(from: "Trials", toAnyOf: ["Policy"]) == [["Trials", "Policy"]])
        #expect(TargetGraph(dependencies: ["Trials": ["Tokens"], "Tokens": []]).paths(from: "Trials", toAnyOf: ["Vault"]).isEmpty)
    }

    @Test("the manifest reader sees target, byName and product dependencies")
    func readsManifestShapes() throws {
        let json = """
            {"targets": [
              {"name": "Trials", "dependencies": [{"byName": ["Tokens", null]}, {"target": ["Helper", null]},
                                                   {"product": ["NIOCore", "swift-nio", null, null]}]},
              {"name": "Helper", "dependencies": [{"byName": ["Vault", null]}]}
            ]}
            """
        let graph = try TargetGraph(manifestJSON: Data(json.utf8))
        #expect(graph.dependencies["Trials"] == ["Tokens", "Helper", "swift-nio/NIOCore"])
        #expect(graph.paths(from: "Trials", toAnyOf: ["Vault"]) == [["Trials", "Helper", "Vault"]])
    }
}

/// The package's target dependency graph: target name → names it depends on (targets by name,
/// products as `package/product`).
struct TargetGraph: Sendable {
    let dependencies: [String: [String]]

    init(dependencies: [String: [String]]) {
        self.dependencies = dependencies
    }

    /// Parses the JSON of `swift package dump-package`.
    init(manifestJSON: Data) throws {
        struct Manifest: Decodable {
            struct Target: Decodable {
                let name: String
                let dependencies: [Dependency]
            }
            let targets: [Target]
        }
        /// `{"byName": [name, condition]}`, `{"target": [name, condition]}` or
        /// `{"product": [name, package, moduleAliases, condition]}`.
        struct Dependency: Decodable {
            let name: String

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: Key.self)
                if let byName = try container.decodeIfPresent([String?].self, forKey: .byName), let name = byName.first ?? nil {
                    self.name = name
                } else if let target = try container.decodeIfPresent([String?].self, forKey: .target), let name = target.first ?? nil {
                    self.name = name
                } else if let product = try container.decodeIfPresent([AnyJSON].self, forKey: .product),
                          case .string(let name)? = product.first
                {
                    if product.count > 1, case .string(let package) = product[1] {
                        self.name = package + "/" + name
                    } else {
                        self.name = name
                    }
                } else {
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown dependency shape"))
                }
            }

            enum Key: String, CodingKey {
                case byName, target, product
            }
        }
        let manifest = try JSONDecoder().decode(Manifest.self, from: manifestJSON)
        var graph: [String: [String]] = [:]
        for target in manifest.targets { graph[target.name] = target.dependencies.map(\.name) }
        self.dependencies = graph
    }

    /// The package's graph, read once per test process.
    static func load() throws -> TargetGraph {
        try shared.get()
    }

    private static let shared = Result { try dumpPackage() }

    /// Runs `swift package dump-package` on this package (with a scratch path of its own, so it
    /// never waits for the lock of the running `swift test`).
    private static func dumpPackage() throws -> TargetGraph {
        let scratch = NSTemporaryDirectory() + "bilet-dump-package"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", SourceTree.root.path, "--scratch-path", scratch, "dump-package"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CocoaError(.fileReadUnknown) }
        return try TargetGraph(manifestJSON: data)
    }

    /// Every shortest-first path from `start` to a target in `targets` (one per forbidden target
    /// reached), found by breadth-first search.
    func paths(from start: String, toAnyOf targets: Set<String>) -> [[String]] {
        var previous: [String: String] = [:]
        var visited: Set<String> = [start]
        var queue = [start]
        var found: [[String]] = []
        while !queue.isEmpty {
            let node = queue.removeFirst()
            for next in dependencies[node] ?? [] where !visited.contains(next) {
                visited.insert(next)
                previous[next] = node
                if targets.contains(next) {
                    var path = [next]
                    var cursor = next
                    while let before = previous[cursor] {
                        path.insert(before, at: 0)
                        cursor = before
                    }
                    found.append(path)
                }
                queue.append(next)
            }
        }
        return found
    }
}

/// Any JSON value, for the heterogeneous product-dependency arrays.
enum AnyJSON: Decodable {
    case string(String)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .string(text)
        } else {
            self = .other
        }
    }
}
