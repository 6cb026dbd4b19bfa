// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "drgw",
    // Built and run on Linux (libcurl and PostgreSQL from Debian packages); the macOS minimum is
    // there for editors and `swift build` of the pure targets, not a supported deployment.
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "drgw", targets: ["drgw"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
    ],
    targets: [
        // libcurl from Debian's libcurl4-openssl-dev, with static inline shims for the variadic setopt calls.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // Unified domain: models, problems, the Provider and HTTPTransport protocols, signing helpers.
        .target(
            name: "DRGWCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        // libcurl multi transport on its own thread.
        .target(
            name: "DRGWTransport",
            dependencies: [
                "CCurl", "DRGWCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Durable idempotency records and operations: SQLite (embedded default, one process) and
        // PostgreSQL (several replicas sharing one database).
        .target(
            name: "DRGWStore",
            dependencies: [
                "DRGWCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The gateway's API from the other side: `drgw` client commands for scripts.
        .target(
            name: "DRGWClient",
            dependencies: ["DRGWCore"],
            swiftSettings: strict
        ),
        // HTTP front: Hummingbird app, config, controllers, background services.
        .target(
            name: "DRGWServer",
            dependencies: [
                "DRGWCore", "DRGWStore", "DRGWTransport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            ],
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strict
        ),
        // Provider folders, one cloud each: the adapter target (signer, adapter, wire shapes, data
        // tables) and, from the folder's Simulator/, the simulator target (it alone links an HTTP server).
        .target(
            name: "HuaweiSDRS",
            dependencies: [
                "DRGWCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "providers/huawei-sdrs",
            exclude: ["Simulator"],
            resources: [.copy("Data")],
            swiftSettings: strict
        ),
        .target(
            name: "HuaweiSDRSSimulation",
            dependencies: [
                "HuaweiSDRS", "DRGWCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "providers/huawei-sdrs/Simulator",
            swiftSettings: strict
        ),
        .target(
            name: "AlibabaEBS",
            dependencies: [
                "DRGWCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "providers/alibaba-ebs",
            exclude: ["Simulator"],
            resources: [.copy("Data")],
            swiftSettings: strict
        ),
        .target(
            name: "AlibabaEBSSimulation",
            dependencies: [
                "AlibabaEBS", "DRGWCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "providers/alibaba-ebs/Simulator",
            swiftSettings: strict
        ),
        .executableTarget(
            name: "drgw",
            dependencies: [
                "DRGWCore", "DRGWServer", "DRGWStore", "DRGWTransport", "DRGWClient", "HuaweiSDRS", "AlibabaEBS",
                "HuaweiSDRSSimulation", "AlibabaEBSSimulation",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // Shared fakes and fixtures for the test targets.
        .target(
            name: "DRGWTesting",
            dependencies: [
                "DRGWCore", "DRGWStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/DRGWTesting",
            swiftSettings: strict
        ),
        .testTarget(
            name: "DRGWCoreTests",
            dependencies: ["DRGWCore"],
            swiftSettings: strict
        ),
        // The store contract, run against SQLite and (when DRGW_TEST_POSTGRES_URL is set, as the
        // test script does) a real PostgreSQL.
        .testTarget(
            name: "DRGWClientTests",
            dependencies: ["DRGWClient", "DRGWCore", "DRGWTesting"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DRGWStoreTests",
            dependencies: [
                "DRGWStore", "DRGWCore", "DRGWTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DRGWTransportTests",
            dependencies: [
                "DRGWTransport", "DRGWCore", "DRGWTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DRGWServerTests",
            dependencies: [
                "DRGWServer", "DRGWCore", "DRGWStore", "DRGWTransport", "DRGWTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                "HuaweiSDRS", "AlibabaEBS", "HuaweiSDRSSimulation", "AlibabaEBSSimulation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "HuaweiSDRSTests",
            dependencies: [
                "HuaweiSDRS", "HuaweiSDRSSimulation", "DRGWCore", "DRGWTransport", "DRGWTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AlibabaEBSTests",
            dependencies: [
                "AlibabaEBS", "AlibabaEBSSimulation", "DRGWCore", "DRGWTransport", "DRGWTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
    ]
)
