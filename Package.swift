// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "DynAPI",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "dynapi", targets: ["dynapi"]),
        .library(name: "DynAPIServer", targets: ["DynAPIServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "DynAPICore",
            resources: [.embedInCode("Passwords/common-passwords.txt")]
        ),
        .target(
            name: "DynAPIPostgres",
            dependencies: [
                "CLibPQ",
                "DynAPICore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["SQL/tests", "SQL/README.md", "SQL/install.sql", "SQL/apply_migration.sql", "SQL/apply_functions.sql"],
            resources: [
                .embedInCode("SQL/bootstrap.sql"),
                .embedInCode("SQL/uninstall.sql"),
                .embedInCode("SQL/migrations"),
                .embedInCode("SQL/functions"),
            ]
        ),
        .target(
            name: "DynAPIServer",
            dependencies: [
                "DynAPICore",
                "DynAPIPostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [
                .embedInCode("Admin/Assets/admin.html"),
                .embedInCode("Admin/Assets/admin.css"),
                .embedInCode("Admin/Assets/admin.js"),
                .embedInCode("Admin/Assets/docs.html"),
                .embedInCode("Admin/Assets/docs.js"),
                .embedInCode("Admin/Assets/dom.js"),
            ]
        ),
        .executableTarget(
            name: "dynapi",
            dependencies: [
                "DynAPICore",
                "DynAPIPostgres",
                "DynAPIServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.embedInCode("Resources/demo.sql")]
        ),
        .executableTarget(
            name: "dynapi-bench",
            dependencies: [
                "DynAPICore",
                "DynAPIPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "DynAPITestSupport",
            dependencies: [
                "DynAPICore",
                "DynAPIPostgres",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "DynAPICoreTests",
            dependencies: ["DynAPICore", "DynAPITestSupport"]
        ),
        .testTarget(
            name: "DynAPIPostgresTests",
            dependencies: [
                "DynAPICore",
                "DynAPIPostgres",
                "DynAPITestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "DynAPICLITests",
            dependencies: ["DynAPIPostgres", "DynAPITestSupport", "dynapi"]
        ),
        .testTarget(
            name: "DynAPIServerTests",
            dependencies: [
                "DynAPICore",
                "DynAPIPostgres",
                "DynAPIServer",
                "DynAPITestSupport",
                "dynapi",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
