// swift-tools-version: 6.2
//
// bilet: the security core of a school career-guidance platform.
// One target per component; each C library is wrapped once, in one target,
// and nothing else imports the C modules.

import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "bilet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bilet", targets: ["BiletCLI"]),
        .executable(name: "bilet-bench", targets: ["BiletBench"]),
        // Only for the fuzz targets (Fuzz/, a package of its own that depends on this one by path):
        // the modules whose parsers take outside input, one product each so a target builds only
        // what its parser needs.
        .library(name: "PupilImport", targets: ["PupilImport"]),
        .library(name: "GnuTLS", targets: ["GnuTLS"]),
        .library(name: "Policy", targets: ["Policy"]),
        .library(name: "Assessment", targets: ["Assessment"]),
        .library(name: "Audit", targets: ["Audit"]),
        .library(
            name: "BiletHTTPBodies",
            targets: ["Gateway", "VaultHTTP", "AccountsHTTP", "AssessmentHTTP", "TrialsHTTP", "IncidentsHTTP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.34.1"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C libraries (system modules; imported only by their one wrapper)
        .systemLibrary(
            name: "CGnuTLS", pkgConfig: "gnutls",
            providers: [.apt(["libgnutls28-dev"])]),
        .systemLibrary(
            name: "CArgon2", pkgConfig: "libargon2",
            providers: [.apt(["libargon2-dev"])]),
        .systemLibrary(
            name: "CLibPQ", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),

        // MARK: Wrappers
        .target(name: "GnuTLS", dependencies: ["CGnuTLS"], swiftSettings: strict),
        .target(name: "Argon2", dependencies: ["CArgon2"], swiftSettings: strict),
        .target(
            name: "PostgreSQL",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict),

        // MARK: Components
        .target(
            name: "Storage",
            dependencies: [
                "PostgreSQL",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Migrations")],
            swiftSettings: strict),
        .target(
            name: "Settings",
            dependencies: [
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ],
            swiftSettings: strict),
        .target(
            name: "Observability",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        .target(name: "Policy", dependencies: ["GnuTLS", "PostgreSQL"], swiftSettings: strict),
        .target(
            name: "Audit",
            dependencies: [
                "GnuTLS", "PostgreSQL", "Storage",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // Opaque tokens: no dependencies at all, so modules can use them without reaching PII.
        .target(name: "Tokens", swiftSettings: strict),
        .target(
            name: "Vault",
            dependencies: [
                "GnuTLS", "Argon2", "PostgreSQL", "Policy", "Audit", "Tokens", "LocalSocket", "VaultDoor",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // Local request/response sockets between bilet's own processes, callers authenticated by the kernel.
        .target(
            name: "LocalSocket",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // The vault process's door as the gateway sees it: messages and a client, no key and no PII type.
        .target(name: "VaultDoor", dependencies: ["LocalSocket", "PupilImport"], swiftSettings: strict),
        // Reading and checking a pupil import file (CSV): pure, no dependencies, so the gateway checks a
        // file completely before anything reaches the vault.
        .target(name: "PupilImport", swiftSettings: strict),
        // `bilet dev seed`: a client of the running platform (mutual TLS, HTTP), nothing of the server
        .target(name: "DevSeed", dependencies: ["GnuTLS"], swiftSettings: strict),

        // MARK: Modules (invariant 2: tokens only; never Vault, GnuTLS or Policy)
        .target(name: "Assessment", dependencies: ["Tokens", "PostgreSQL"], swiftSettings: strict),
        .target(name: "Trials", dependencies: ["Tokens", "PostgreSQL"], swiftSettings: strict),
        .target(name: "Recommendations", dependencies: ["Tokens", "PostgreSQL"], swiftSettings: strict),

        .target(name: "Identity", swiftSettings: strict),
        .target(
            name: "TLS",
            dependencies: [
                "GnuTLS", "Identity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // The HTTP API contract: the OpenAPI document the gateway serves and the tests check.
        .target(name: "APIContract", resources: [.copy("openapi.yaml")], swiftSettings: strict),
        // TLS and HTTP plumbing only: listeners, the request context, security headers, problem
        // documents; the routes live in one small target per component.
        .target(
            name: "Gateway",
            dependencies: [
                "TLS", "Identity", "Accounts", "APIContract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP2", package: "swift-nio-extras"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        .target(
            name: "CertificateAuthority",
            dependencies: [
                "GnuTLS", "Identity", "PostgreSQL", "Audit", "TLS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // Staff accounts (Argon2id password) and their sessions bound to a workstation certificate;
        // pupils' own accounts and sessions on the pupils' listener.
        .target(
            name: "Accounts",
            dependencies: [
                "Argon2", "GnuTLS", "PostgreSQL", "Audit", "Policy", "Identity", "TLS", "CertificateAuthority",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // The organisation registry: operator, regions, schools and venues, their profiles and
        // data-processing agreements.
        .target(
            name: "Organisations",
            dependencies: ["PostgreSQL", "Audit", "Identity", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        // The incident register (152-FZ art. 21 part 3.1): breaches, their scope in the audit log,
        // the 24- and 72-hour notices to Roskomnadzor and their texts.
        .target(name: "Incidents", dependencies: ["PostgreSQL", "Audit"], swiftSettings: strict),

        // MARK: HTTP routes, one small target per component (Gateway stays TLS and HTTP plumbing)
        .target(
            name: "VaultHTTP",
            dependencies: [
                "Gateway", "Accounts", "VaultDoor", "Identity", "PupilImport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        .target(
            name: "AssessmentHTTP",
            dependencies: [
                "Gateway", "Accounts", "Assessment", "Audit", "Policy", "PostgreSQL", "Tokens", "VaultDoor", "VaultHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .target(
            name: "AccountsHTTP",
            dependencies: [
                "Gateway", "Accounts", "Identity", "Audit", "Policy", "Organisations",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        .target(
            name: "AuditHTTP",
            dependencies: [
                "Gateway", "Accounts", "Audit", "Policy", "PostgreSQL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .target(
            name: "CertificatesHTTP",
            dependencies: [
                "Gateway", "Identity", "TLS", "Accounts", "Audit", "Policy", "PostgreSQL",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .target(
            name: "OrganisationsHTTP",
            dependencies: [
                "Gateway", "Accounts", "Organisations", "Identity", "Audit", "Policy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        .target(
            name: "IncidentsHTTP",
            dependencies: [
                "Gateway", "Accounts", "Incidents", "Audit", "Policy",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        // Trials and events over HTTP: venues, coordinators, navigators, mentors (issue 11, item 2).
        .target(
            name: "TrialsHTTP",
            dependencies: [
                "Gateway", "Accounts", "Trials", "Identity", "Audit", "Policy", "PostgreSQL", "Tokens", "VaultDoor", "VaultHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),

        // Recommendations over HTTP: navigators generate, edit and publish; pupils read; coordinators
        // upload opportunities (issue 11, item 3).
        .target(
            name: "RecommendationsHTTP",
            dependencies: [
                "Gateway", "Accounts", "Recommendations", "Assessment", "Trials", "Audit", "Policy", "PostgreSQL", "Tokens", "VaultDoor",
                "VaultHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),

        // MARK: Pages (issue 14): server-rendered Russian pages over the same services as the API
        // Templates, rendering, Russian formatting, forms and CSRF tokens; no Hummingbird.
        .target(
            name: "Pages",
            dependencies: ["GnuTLS", "PupilImport", "Trials", "Organisations", "Identity", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates"), .copy("Static")],
            swiftSettings: strict),
        // The page routes under /app/: the staff session in a cookie, CSRF, the school's pages.
        .target(
            name: "PagesHTTP",
            dependencies: [
                "Pages", "Gateway", "Accounts", "AccountsHTTP", "VaultDoor", "VaultHTTP", "RecommendationsHTTP", "PupilImport", "GnuTLS",
                "AssessmentHTTP", "Assessment", "AuditHTTP", "Audit", "CertificatesHTTP",
                "Organisations", "OrganisationsHTTP", "Trials", "TrialsHTTP", "Tokens", "Recommendations",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // MARK: Metrics and health (issue 15, part 4)
        // The gateway's counters and the readings taken at scrape time, on swift-metrics with the
        // Prometheus exposition (swift-prometheus); no Hummingbird, no PII.
        .target(
            name: "Monitoring",
            dependencies: [
                "TLS", "Gateway", "GnuTLS", "PostgreSQL", "VaultDoor",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        // The admin listener's routes: `/metrics`, `/readyz`, `/healthz`, for the monitoring certificate only.
        .target(
            name: "MonitoringHTTP",
            dependencies: [
                "Monitoring", "Gateway", "Identity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),

        // `bilet backup`: pg_dump sealed under keys from the vault's master key; verify; restore into an
        // empty database with the audit log checked and later erasures re-applied (issue 15, part 5).
        .target(
            name: "Backups",
            dependencies: ["Vault", "Audit", "Policy", "PostgreSQL", "Storage"],
            swiftSettings: strict),

        // MARK: Test support (only test targets depend on it)
        .target(
            name: "DatabaseTestSupport",
            dependencies: ["Storage", "PostgreSQL"],
            swiftSettings: strict),

        // MARK: The platform as the commands compose it: each trust domain's services, the routes, the
        // vault's door handlers, the supervisor, and the options the commands share
        .target(
            name: "Platform",
            dependencies: [
                "GnuTLS", "PostgreSQL", "Storage", "Settings", "Observability", "Policy", "Audit", "TLS", "Gateway", "Vault",
                "CertificateAuthority", "Identity", "Accounts", "LocalSocket", "VaultDoor",
                "Organisations", "VaultHTTP", "AccountsHTTP", "OrganisationsHTTP", "AuditHTTP", "CertificatesHTTP", "PupilImport",
                "Tokens", "Trials", "TrialsHTTP", "Assessment", "AssessmentHTTP", "Recommendations", "RecommendationsHTTP", "PagesHTTP",
                "Incidents", "IncidentsHTTP", "Monitoring", "MonitoringHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // MARK: The `bilet` command
        .executableTarget(
            name: "BiletCLI",
            dependencies: [
                "Platform", "GnuTLS", "PostgreSQL", "Storage", "Settings", "Policy", "Audit", "Vault", "CertificateAuthority",
                "Identity", "Accounts", "Assessment", "DevSeed", "Backups",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // MARK: The `bilet-bench` command: the measurements, kept out of the shipped `bilet`
        .executableTarget(
            name: "BiletBench",
            dependencies: [
                "Platform", "GnuTLS", "PostgreSQL", "Storage", "Settings", "Policy", "Audit", "TLS", "Gateway", "Vault",
                "Identity", "Accounts", "LocalSocket", "VaultDoor", "PupilImport", "Tokens", "Trials", "TrialsHTTP", "Assessment",
                "Recommendations", "RecommendationsHTTP", "Monitoring",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // MARK: Tests
        .testTarget(name: "GnuTLSTests", dependencies: ["GnuTLS"], swiftSettings: strict),
        .testTarget(name: "Argon2Tests", dependencies: ["Argon2"], swiftSettings: strict),
        .testTarget(
            name: "PostgreSQLTests",
            dependencies: ["PostgreSQL", "Storage", "DatabaseTestSupport", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict),
        .testTarget(
            name: "StorageTests", dependencies: ["Storage", "PostgreSQL", "DatabaseTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "SettingsTests", dependencies: ["Settings"], swiftSettings: strict),
        .testTarget(
            name: "ObservabilityTests",
            dependencies: [
                "Observability", "Monitoring", "Gateway", "PostgreSQL", "VaultDoor", "TLS",
                .product(name: "Logging", package: "swift-log"), .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        .testTarget(name: "ArchitectureTests", swiftSettings: strict),
        .testTarget(
            name: "BiletCLITests",
            dependencies: [
                "BiletCLI", "BiletBench", "Platform", "Audit", "Policy", "PostgreSQL", "Storage", "DatabaseTestSupport", "Vault", "VaultDoor", "Tokens",
                "PupilImport", "Settings", "LocalSocket", "APIContract", "Gateway", "Accounts", "AuditHTTP", "CertificatesHTTP", "Assessment",
                "TLSTestSupport", "ServeTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "PolicyTests", dependencies: ["Policy", "PostgreSQL", "DatabaseTestSupport", "Storage"],
            swiftSettings: strict),
        .testTarget(
            name: "AuditTests",
            dependencies: ["Audit", "GnuTLS", "PostgreSQL", "Storage", "DatabaseTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "IdentityTests", dependencies: ["Identity"], swiftSettings: strict),
        .testTarget(name: "PupilImportTests", dependencies: ["PupilImport"], swiftSettings: strict),
        .testTarget(
            name: "LocalSocketTests",
            dependencies: [
                "LocalSocket",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // Test-only helpers: a throwaway PKI made with certtool, real TLS clients run as processes, and a
        // running gateway (GatewayHarness) that the gateway and certificate authority tests share.
        .target(
            name: "TLSTestSupport",
            dependencies: [
                "TLS", "GnuTLS", "Identity", "Gateway",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TLSTestSupport",
            swiftSettings: strict),
        // Test-only helpers: a real `bilet serve` on a throwaway development PKI and database, driven
        // with curl (the serve tests of BiletCLITests and the page tests share it).
        .target(name: "ServeTestSupport", dependencies: ["Storage"], path: "Tests/ServeTestSupport", swiftSettings: strict),
        .testTarget(
            name: "PagesTests",
            dependencies: ["Pages", "PagesHTTP", "BiletCLI", "ServeTestSupport", "PupilImport", "Assessment"],
            swiftSettings: strict),
        .testTarget(
            name: "TLSTests",
            dependencies: [
                "TLS", "GnuTLS", "Identity", "TLSTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "TLS", "Identity", "TLSTestSupport", "APIContract",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "VaultTests",
            dependencies: [
                "Vault", "VaultDoor", "Audit", "Tokens", "Policy", "GnuTLS", "PostgreSQL", "Storage", "DatabaseTestSupport", "Backups",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "TrialsTests",
            dependencies: [
                "Trials", "TrialsHTTP", "Tokens", "PostgreSQL", "Storage", "DatabaseTestSupport", "Audit", "Policy", "Accounts",
                "Identity",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ModulesTests",
            dependencies: [
                "Assessment", "Trials", "Recommendations", "RecommendationsHTTP", "Tokens", "PostgreSQL", "Storage", "DatabaseTestSupport",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CertificateAuthorityTests",
            dependencies: [
                "CertificateAuthority", "GnuTLS", "Identity", "PostgreSQL", "Storage", "Audit", "TLS", "Gateway",
                "CertificatesHTTP", "TLSTestSupport", "DatabaseTestSupport", "BiletCLI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "AccountsTests",
            dependencies: [
                "Accounts", "Gateway", "AccountsHTTP", "AuditHTTP", "Organisations", "OrganisationsHTTP", "Audit", "Policy", "TLS", "GnuTLS",
                "Identity", "PostgreSQL", "Storage", "Incidents", "IncidentsHTTP",
                "TLSTestSupport", "DatabaseTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)
