// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SwiftLens",
    products: [
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Lens", targets: ["Lens"]),
        .executable(name: "lens", targets: ["lens"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLinearAlgebra",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        .target(
            name: "Kernels",
            dependencies: ["CLinearAlgebra", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "Tensor", dependencies: ["Kernels", "CLinearAlgebra"]),
        .target(name: "NN", dependencies: ["Tensor", "Kernels"]),
        .target(name: "Lens", dependencies: ["NN"]),
        .executableTarget(
            name: "lens",
            dependencies: ["Lens", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "FactualRecall", dependencies: ["Lens"], path: "Examples/FactualRecall"),
        .executableTarget(name: "SentimentAnalysis", dependencies: ["Lens"], path: "Examples/SentimentAnalysis"),
        .executableTarget(name: "InductionHeads", dependencies: ["Lens"], path: "Examples/InductionHeads"),
        .executableTarget(name: "SentimentProbe", dependencies: ["Lens"], path: "Examples/SentimentProbe"),
        .executableTarget(name: "IOICircuit", dependencies: ["Lens"], path: "Examples/IOICircuit"),
        .executableTarget(name: "OthelloGPT", dependencies: ["Lens"], path: "Examples/OthelloGPT"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "LensTests", dependencies: ["Lens", "OthelloGPT"]),
    ],
    swiftLanguageModes: [.v6]
)
