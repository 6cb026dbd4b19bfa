// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// One cloud, the folder `providers/<folder>`: the adapter target `<module>` (signer, adapter, wire
/// shapes, data tables), the simulator target `<module>Simulation` from its `Simulator/` (the only
/// one that links an HTTP server) and `Tests/<module>Tests`. Adding a cloud is one line in `clouds`.
struct Cloud {
    let module: String
    let folder: String

    var modules: [Target.Dependency] { [.target(name: module), .target(name: module + "Simulation")] }

    var targets: [Target] {
        let common: [Target.Dependency] = [
            "DRGWCore",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ]
        let http: [Target.Dependency] = [
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]
        return [
            .target(
                name: module, dependencies: common, path: "providers/\(folder)", exclude: ["Simulator"],
                resources: [.copy("Data")], swiftSettings: strict),
            .target(
                name: module + "Simulation", dependencies: [.target(name: module)] + common + http,
                path: "providers/\(folder)/Simulator", swiftSettings: strict),
            .testTarget(
                name: module + "Tests", dependencies: modules + ["DRGWCore", "DRGWTransport", "DRGWTesting"] + http,
                swiftSettings: strict),
        ]
    }
}

let clouds = [
    Cloud(module: "HuaweiSDRS", folder: "huawei-sdrs"),
    Cloud(module: "AlibabaEBS", folder: "alibaba-ebs"),
    Cloud(module: "AWSDRS", folder: "aws-drs"),
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
        // Linux epoll, eventfd and AIO socket polls, with typed inline functions for the AIO system calls.
        .systemLibrary(name: "CLinuxEvents", path: "Sources/CLinuxEvents"),
        // Unified domain: models, problems, the Provider and HTTPTransport protocols, signing helpers.
        .target(
            name: "DRGWCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // libcurl transport: one curl multi handle per NIO event loop.
        .target(
            name: "DRGWTransport",
            dependencies: [
                "CCurl", "CLinuxEvents", "DRGWCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
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
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
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
        .executableTarget(
            name: "drgw",
            dependencies: [
                "DRGWCore", "DRGWServer", "DRGWStore", "DRGWTransport", "DRGWClient",
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
                .product(name: "NIOPosix", package: "swift-nio"),
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
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DRGWServerTests",
            dependencies: [
                "DRGWServer", "DRGWCore", "DRGWStore", "DRGWTransport", "DRGWTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)

// Every cloud's targets, and its modules in the executable and the live gateway tests.
package.targets += clouds.flatMap { $0.targets }
for target in package.targets where ["drgw", "DRGWServerTests"].contains(target.name) {
    target.dependencies += clouds.flatMap { $0.modules }
}
