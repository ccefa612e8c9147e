// swift-tools-version: 6.1
// libFuzzer targets for every parser of outside input. Separate from the root package so that the library's
// products carry no sanitizer flags. Build and run with Fuzz/run.sh (which passes
// `-Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld`).
import PackageDescription

/// One libFuzzer executable per parser; JSON formats also get the structure-aware mutator.
func fuzzTarget(_ name: String, json: Bool = false) -> Target {
    .executableTarget(
        name: "fuzz-\(name)",
        dependencies: ["FuzzSupport", .product(name: "Lens", package: "SwiftLens")] + (json ? ["JSONMutator"] : []),
        path: "Sources/fuzz-\(name)")
}

let package = Package(
    name: "SwiftLensFuzz",
    dependencies: [.package(name: "SwiftLens", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "Tensor", package: "SwiftLens")]),
        .target(name: "JSONMutator", dependencies: ["FuzzSupport", .product(name: "Tensor", package: "SwiftLens")]),
        fuzzTarget("npy"), fuzzTarget("safetensors"), fuzzTarget("index", json: true), fuzzTarget("npz"),
        fuzzTarget("config", json: true), fuzzTarget("tokenizer", json: true), fuzzTarget("sae", json: true),
        fuzzTarget("pth"),
    ],
    swiftLanguageModes: [.v6]
)
