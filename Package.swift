// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "partner-incentives",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "incentives", targets: ["incentives"]),
    ],
    // Off by default: swift-otel and its OTLP/HTTP exporter take minutes to build. `swift build --traits OTel`.
    traits: [
        .trait(name: "OTel", description: "Export traces over OTLP/HTTP through swift-otel when OTEL_EXPORTER_OTLP_ENDPOINT is set."),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/pointfreeco/swift-snapshot-testing", from: "1.19.7"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Pure domain: Foundation only, no I/O. Every rule of DOMAIN.md lives here once.
        .target(name: "IncentivesDomain"),
        // One SQLite connection option that Swift cannot set by itself (sqlite3_db_config is variadic in C).
        .target(name: "SQLiteOptions"),
        .target(
            name: "IncentivesStore",
            dependencies: [
                "IncentivesDomain",
                "SQLiteOptions",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                // The catalogue as a file (`incentives catalogue export` / `import`).
                .product(name: "Yams", package: "Yams"),
                // zlib's deflate for the XLSX export's ZIP entries.
                .product(name: "CompressNIO", package: "compress-nio"),
                // The pool's and the claims' counters, and a span per database call (reported to the app's own).
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The public API's contract (openapi.yaml) and the types, server protocol and client generated from it.
        .target(
            name: "IncentivesAPI",
            dependencies: [.product(name: "OpenAPIRuntime", package: "swift-openapi-runtime")],
            resources: [.copy("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        .target(
            name: "IncentivesWeb",
            dependencies: [
                "IncentivesDomain",
                "IncentivesStore",
                "IncentivesAPI",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTel"])),
            ],
            resources: [.copy("Templates"), .copy("Public")]
        ),
        .executableTarget(
            name: "incentives",
            dependencies: [
                "IncentivesDomain",
                "IncentivesStore",
                "IncentivesWeb",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A bare Hummingbird app answering /health: the yardstick scripts/bench/all.sh measures the app's /health against.
        .executableTarget(name: "bare-hummingbird", dependencies: [.product(name: "Hummingbird", package: "hummingbird")]),
        // Claim transitions per second through the store (scripts/bench/transitions.sh).
        .executableTarget(
            name: "transition-bench",
            dependencies: ["IncentivesDomain", "IncentivesStore", .product(name: "SQLKit", package: "sql-kit")]
        ),
        .testTarget(name: "IncentivesDomainTests", dependencies: ["IncentivesDomain"]),
        // Fresh SQLite files and PostgreSQL databases for tests, shared by the store and web tests.
        .target(
            name: "IncentivesTestSupport",
            dependencies: ["IncentivesStore", "IncentivesDomain", .product(name: "SQLKit", package: "sql-kit")],
            path: "Tests/IncentivesTestSupport"
        ),
        .testTarget(name: "IncentivesStoreTests", dependencies: ["IncentivesStore", "IncentivesDomain", "IncentivesTestSupport"]),
        // The command's own pieces (the progress reporter), in-process.
        .testTarget(name: "IncentivesCLITests", dependencies: ["incentives"]),
        .testTarget(
            name: "IncentivesWebTests",
            dependencies: [
                "IncentivesWeb", "IncentivesStore", "IncentivesDomain", "IncentivesTestSupport", "IncentivesAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "SnapshotTesting", package: "swift-snapshot-testing"),
                // The renderer the pages were written against, to hold `PageTemplates` to its output.
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            // Golden files of the page snapshots, reviewed in diffs.
            exclude: ["Snapshots/__Snapshots__"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
