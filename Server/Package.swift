// swift-tools-version: 6.1
// `lens-serve`: serves a scan database's dashboard on localhost. A package of its own so that Hummingbird and
// SwiftNIO (minutes to build) are compiled only by those who run `lens serve`:
//   swift build -c release --package-path Server --product lens-serve
import PackageDescription

let package = Package(
    name: "LensServer",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "lens-serve", targets: ["lens-serve"])],
    dependencies: [
        .package(name: "SwiftLens", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
    ],
    targets: [
        .executableTarget(
            name: "lens-serve",
            dependencies: [
                .product(name: "LensStore", package: "SwiftLens"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
