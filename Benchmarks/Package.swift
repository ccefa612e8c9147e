// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "SwiftLensBenchmarks",
    dependencies: [
        .package(name: "SwiftLens", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: []),
    ],
    targets: [
        .executableTarget(
            name: "TensorBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Tensor", package: "SwiftLens"),
                .product(name: "Kernels", package: "SwiftLens"),
            ],
            path: "Benchmarks/TensorBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "kernel-accuracy",
            dependencies: [.product(name: "Kernels", package: "SwiftLens")],
            path: "Tools/KernelAccuracy"
        ),
        .executableTarget(
            name: "GradientBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "NN", package: "SwiftLens"),
            ],
            path: "Benchmarks/GradientBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "make-gpt2-checkpoint",
            dependencies: [.product(name: "Tensor", package: "SwiftLens")],
            path: "Tools/MakeGPT2Checkpoint"
        ),
        .executableTarget(
            name: "compare-json",
            dependencies: [.product(name: "NN", package: "SwiftLens")],
            path: "Tools/CompareJSON"
        ),
        .executableTarget(
            name: "make-random-checkpoint",
            path: "Tools/MakeRandomCheckpoint"
        ),
        .executableTarget(
            name: "inflate-npz",
            dependencies: [.product(name: "Tensor", package: "SwiftLens")],
            path: "Tools/InflateNpz"
        ),
    ]
)
