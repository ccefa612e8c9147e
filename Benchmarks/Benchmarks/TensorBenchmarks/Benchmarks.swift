import Benchmark

/// Entry point of the tensor benchmark suite: `swift package benchmark` in Benchmarks/.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput],
        timeUnits: .microseconds,
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 200
    )
    matmulBenchmarks()
    einsumBenchmarks()
    streamingBenchmarks()
    decodeBenchmarks()
    prefillBenchmarks()
}
