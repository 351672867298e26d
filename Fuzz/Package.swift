// swift-tools-version: 6.2
//
// libFuzzer targets for bilet's parsers of outside input (issue #15, part 1). A package of its own,
// so the main build and `swift test` are unaffected; it depends on the main package by path and is
// built only with the sanitizers, by `scripts/fuzz` (scratch path `.build-fuzz`):
//
//     swift build --package-path Fuzz --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address
//
// Each target is one `main.swift`: `LLVMFuzzerTestOneInput` calling the real parser, and a top-level
// call of libFuzzer's `LLVMFuzzerRunDriver` (SwiftPM links an executable with `main` defined as the
// module's own entry point, so libFuzzer's `main` never runs; see FuzzSupport).

import Foundation
import PackageDescription

/// The main package's identity: the name of the folder that holds this one (a path dependency's
/// identity is its folder's name, which differs between worktrees and CI's clone).
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
    .lowercased()

/// lld: the system's gold crashes (an internal error in its DWARF reader) on some fuzzer links.
let linker: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld"])]

func fuzzTarget(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name, dependencies: ["FuzzSupport"] + dependencies, path: "Sources/\(name)", linkerSettings: linker)
}

/// One of the main package's products (see its Package.swift: the modules the fuzz targets call).
func bilet(_ product: String) -> Target.Dependency { .product(name: product, package: root) }
let httpParsers = bilet("BiletHTTPBodies")

let package = Package(
    name: "bilet-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
    ],
    targets: [
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
        fuzzTarget("fuzz-pupil-import", [bilet("PupilImport")]),
        fuzzTarget("fuzz-policy", [bilet("Policy")]),
        fuzzTarget("fuzz-policy-tests", [bilet("Policy")]),
        fuzzTarget("fuzz-test-definition", [bilet("Assessment")]),
        fuzzTarget("fuzz-audit-proof", [bilet("Audit")]),
        fuzzTarget("fuzz-x509", [bilet("GnuTLS")]),
        fuzzTarget(
            "fuzz-json-body",
            [
                httpParsers,
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        fuzzTarget(
            "fuzz-http-head",
            [
                httpParsers,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
    ]
)
