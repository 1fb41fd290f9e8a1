// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Locker",
    products: [
        .executable(name: "lockerd", targets: ["lockerd"]),
        .executable(name: "locker", targets: ["locker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(
            url: "https://github.com/apple/swift-configuration.git", from: "1.4.0",
            traits: ["JSON", "CommandLineArguments"]
        ),
    ],
    targets: [
        // Crypto, envelope format and domain rules. No I/O.
        .target(
            name: "LockerCore",
            dependencies: ["CZlib", "CLockerGCM", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // AES-256-GCM segment opening through the system OpenSSL (libssl-dev), for the download
        // path: plaintext is written straight into the response buffer (bench/download.sh).
        .target(name: "CLockerGCM", linkerSettings: [.linkedLibrary("crypto")]),
        // The system zlib: raw DEFLATE (SMART Health Cards) and PNG's zlib stream and CRC-32.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Debian's libqrencode, for QR images of SMART Health Cards.
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // Debian's libzbar and libpng, for `locker verify-qr IMAGE`: a PNG decoded to grey
        // pixels in-process (libpng's simplified API), its QR codes found and read by zbar.
        .systemLibrary(name: "CZbar", pkgConfig: "zbar", providers: [.apt(["libzbar-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        // The PKCS#11 header from Debian's libp11-kit-dev (header only: the token's module is
        // loaded with dlopen at run time), for the root key in an HSM.
        .systemLibrary(name: "CPKCS11", providers: [.apt(["libp11-kit-dev"])]),
        // Persistence: SQLite through GRDB or PostgreSQL through postgres-nio, the blob store, the key provider.
        .target(
            name: "LockerStore",
            dependencies: [
                "LockerCore", "CPKCS11",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for reading hot rows straight from a stepped statement.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // The PostgreSQL adapter, for deployments of several nodes.
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                // The S3 blob store's HTTP client (--blob-store s3://…).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // The HTTP layer.
        .target(
            name: "LockerServer",
            dependencies: [
                "LockerCore", "LockerStore", "CQREncode", "CZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Configuration", package: "swift-configuration"),
                // /metrics in Prometheus' text format.
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // HTTPRequestPart / HTTPResponsePart, for ConnectionGuard.
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                // TLS (--tls-cert/--tls-key): HTTP/1.1 and HTTP/2 chosen by ALPN, certificates
                // swapped on SIGHUP.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdHTTP2", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources/openapi.yaml"), .copy("Resources/portal")]
        ),
        .executableTarget(name: "lockerd", dependencies: ["LockerCore", "LockerServer"]),
        .executableTarget(
            name: "locker",
            dependencies: [
                "LockerCore", "LockerStore", "CZbar", "CPNG",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "locker-bench", dependencies: ["LockerCore", "LockerStore", "LockerServer", .product(name: "GRDB", package: "GRDB.swift")], path: "Sources/LockerBench"),
        .testTarget(name: "LockerCoreTests", dependencies: ["LockerCore"]),
        .testTarget(name: "LockerStoreTests", dependencies: ["LockerStore"]),
        .testTarget(
            name: "LockerServerTests",
            dependencies: [
                "LockerServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
