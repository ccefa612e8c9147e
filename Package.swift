// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SwiftLens",
    products: [
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Lens", targets: ["Lens"]),
        .library(name: "LensStore", targets: ["LensStore"]),
        .executable(name: "lens", targets: ["lens"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.0"),
        // `swift package generate-documentation`: the DocC catalogs in Sources/*/*.docc (no code of it is linked).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLinearAlgebra",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),
        // SIMD kernels in C, built for several instruction sets with function-level target attributes.
        .target(name: "CKernels"),
        .target(
            name: "Kernels",
            dependencies: ["CKernels", "CLinearAlgebra", .product(name: "RealModule", package: "swift-numerics")]
        ),
        .target(name: "Tensor", dependencies: ["Kernels", "CLinearAlgebra"]),
        .target(name: "NN", dependencies: ["Tensor", "Kernels"]),
        .target(name: "Lens", dependencies: ["NN"]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "LensStore", dependencies: ["Lens", "CSQLite"]),
        .executableTarget(
            name: "lens",
            dependencies: ["Lens", "LensStore", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(name: "FactualRecall", dependencies: ["Lens"], path: "Examples/FactualRecall"),
        .executableTarget(name: "SentimentAnalysis", dependencies: ["Lens"], path: "Examples/SentimentAnalysis"),
        .executableTarget(name: "InductionHeads", dependencies: ["Lens"], path: "Examples/InductionHeads"),
        .executableTarget(name: "SentimentProbe", dependencies: ["Lens"], path: "Examples/SentimentProbe"),
        .executableTarget(name: "IOICircuit", dependencies: ["Lens"], path: "Examples/IOICircuit"),
        .executableTarget(name: "FeatureScan", dependencies: ["Lens", "LensStore"], path: "Examples/FeatureScan"),
        // The five seed tutorials, section by section on the demo model (run in CI by Scripts/run_tutorials.sh).
        .executableTarget(name: "TutorialRunningExample", dependencies: ["Lens"], path: "Examples/Tutorials/RunningExample"),
        .executableTarget(name: "TutorialCircuitWalkthrough", dependencies: ["Lens"], path: "Examples/Tutorials/CircuitWalkthrough"),
        .executableTarget(name: "TutorialFirstAnalysis", dependencies: ["Lens"], path: "Examples/Tutorials/FirstAnalysis"),
        .executableTarget(name: "TutorialProbesAndNeurons", dependencies: ["Lens"], path: "Examples/Tutorials/ProbesAndNeurons"),
        .executableTarget(name: "TutorialQuickReference", dependencies: ["Lens"], path: "Examples/Tutorials/QuickReference"),
        .executableTarget(name: "OthelloGPT", dependencies: ["Lens"], path: "Examples/OthelloGPT"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "CKernels"]),
        .testTarget(name: "TensorTests", dependencies: ["Tensor"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "LensTests", dependencies: ["Lens", "OthelloGPT"]),
        // Depends on the lens tool too: the resume test kills a real `lens scan` process mid-scan.
        .testTarget(name: "LensStoreTests", dependencies: ["LensStore", "lens"]),
    ],
    swiftLanguageModes: [.v6]
)
