import Benchmark
import Foundation
import Kernels
import Tensor

/// Layer shapes `(k, n)` of GPT-2-small, Qwen2.5-0.5B and Llama-3.2-1B feed-forward and attention projections.
private let decodeShapes: [(String, Int, Int)] = [
    ("gpt2 768x3072", 768, 3072), ("gpt2 3072x768", 3072, 768),
    ("qwen0.5b 896x896", 896, 896), ("qwen0.5b 896x4864", 896, 4864), ("qwen0.5b 4864x896", 4864, 896),
    ("llama1b 2048x2048", 2048, 2048), ("llama1b 2048x8192", 2048, 8192), ("llama1b 8192x2048", 8192, 2048),
]

/// Weights `[n, k]` as `nn.Linear` stores them (`transposed`) or `[k, n]`, in `dtype`.
private struct StoredWeight: @unchecked Sendable {
    let tensor: Tensor
    let matrix: WeightMatrix

    init(k: Int, n: Int, dtype: DType, transposed: Bool) {
        tensor = Tensor.randomNormal(transposed ? [n, k] : [k, n], std: 0.02, seed: UInt64(k * n)).converted(to: dtype)
        let element: WeightMatrix.Element = dtype == .bfloat16 ? .bfloat16 : dtype == .float16 ? .float16 : .float32
        matrix = WeightMatrix(base: UnsafeRawPointer(tensor.storage.base), element: element, k: k, n: n,
                              ld: transposed ? k : n, transposed: transposed)
    }

    /// Weights made once per benchmark process, in a benchmark's `setup` (each benchmark runs in its own
    /// process, so nothing is made at registration).
    static func shared(k: Int, n: Int, dtype: DType, transposed: Bool) -> StoredWeight {
        let key = "\(k) \(n) \(dtype) \(transposed)"
        return cache.lock.withLock {
            if let w = cache.weights[key] { return w }
            let w = StoredWeight(k: k, n: n, dtype: dtype, transposed: transposed)
            cache.weights[key] = w
            return w
        }
    }

    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var weights: [String: StoredWeight] = [:]
    }
    private static let cache = Cache()
}

/// Decode steps (m = 1): `WeightProduct.gemv` on stored float32 / bfloat16 / float16 weights against `cblas_sgemm`
/// with m = 1 on float32 weights, which repacks the weights on every call. The ratio of throughputs is the
/// tokens/s-equivalent gain of one layer's product.
func decodeBenchmarks() {
    let variants: [(String, DType, Bool)] = [
        ("f32 [n,k]", .float32, true), ("bf16 [n,k]", .bfloat16, true), ("f16 [n,k]", .float16, true),
        ("bf16 [k,n]", .bfloat16, false),
    ]
    for (name, k, n) in decodeShapes {
        let x = (0..<(4 * k)).map { Float($0 % 7) - 3 }
        Benchmark("decode sgemm m=1 f32 [n,k] \(name)") { bench in
            let w = StoredWeight.shared(k: k, n: n, dtype: .float32, transposed: true)
            var y = [Float](repeating: 0, count: n)
            for _ in bench.scaledIterations {
                BLAS.sgemm(transA: false, transB: true, m: 1, n: n, k: k, a: x, lda: k,
                           b: w.matrix.base.assumingMemoryBound(to: Float.self), ldb: k, c: &y, ldc: n)
            }
            blackHole(y)
        } setup: {
            _ = StoredWeight.shared(k: k, n: n, dtype: .float32, transposed: true)
        }
        for (label, dtype, transposed) in variants {
            for m in [1, 4] where m == 1 || label == "bf16 [n,k]" {
                Benchmark("decode gemv m=\(m) \(label) \(name)") { bench in
                    let w = StoredWeight.shared(k: k, n: n, dtype: dtype, transposed: transposed)
                    var y = [Float](repeating: 0, count: m * n)
                    for _ in bench.scaledIterations {
                        WeightProduct.gemv(x, ldx: k, rows: m, weight: w.matrix, &y, ldy: n)
                    }
                    blackHole(y)
                } setup: {
                    _ = StoredWeight.shared(k: k, n: n, dtype: dtype, transposed: transposed)
                }
            }
        }
    }
}

/// Prefill products (m = 16 … 1024) with bfloat16 `[n, k]` weights: the whole weight widened once into a
/// Float32 buffer then one sgemm, against `WeightProduct.gemm` widening blocks of 512, 2048 or 8192 output
/// columns into a reusable buffer, each followed by an sgemm, and against `gemv` (W read once per four rows);
/// float32 weights through sgemm as the peer.
func prefillBenchmarks() {
    for (name, k, n) in [("qwen0.5b 896x4864", 896, 4864), ("llama1b 2048x8192", 2048, 8192)] {
        func weights() -> (f32: StoredWeight, bf16: StoredWeight) {
            (StoredWeight.shared(k: k, n: n, dtype: .float32, transposed: true),
             StoredWeight.shared(k: k, n: n, dtype: .bfloat16, transposed: true))
        }
        for m in [16, 32, 64, 128, 1024] {
            let x = (0..<(m * k)).map { Float($0 % 7) - 3 }
            let label = "m=\(m) \(name)"
            Benchmark("prefill sgemm f32 weights \(label)") { bench in
                let w = weights().f32
                var y = [Float](repeating: 0, count: m * n)
                for _ in bench.scaledIterations {
                    WeightProduct.gemm(x, ldx: k, rows: m, weight: w.matrix, &y, ldy: n, scratch: nil)
                }
                blackHole(y)
            } setup: { _ = weights() }
            Benchmark("prefill bf16 gemv \(label)") { bench in
                let w = weights().bf16
                var y = [Float](repeating: 0, count: m * n)
                for _ in bench.scaledIterations {
                    WeightProduct.gemv(x, ldx: k, rows: m, weight: w.matrix, &y, ldy: n)
                }
                blackHole(y)
            } setup: { _ = weights() }
            Benchmark("prefill bf16 widened whole + sgemm \(label)") { bench in
                let w = weights().bf16
                var y = [Float](repeating: 0, count: m * n), wide = [Float](repeating: 0, count: k * n)
                for _ in bench.scaledIterations {
                    HalfConversion.widen(w.matrix.base.assumingMemoryBound(to: UInt16.self), .bfloat16,
                                         to: &wide, count: k * n)
                    BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, a: x, lda: k, b: wide, ldb: k,
                               c: &y, ldc: n)
                }
                blackHole(y)
            } setup: { _ = weights() }
            for columns in [512, 2048, 8192] {
                Benchmark("prefill bf16 blocks of \(columns) + sgemm \(label)") { bench in
                    let w = weights().bf16
                    var y = [Float](repeating: 0, count: m * n)
                    var scratch = [Float](repeating: 0, count: WeightProduct.scratchCount(for: w.matrix, blockColumns: columns))
                    for _ in bench.scaledIterations {
                        WeightProduct.gemm(x, ldx: k, rows: m, weight: w.matrix, &y, ldy: n,
                                           blockColumns: columns, scratch: &scratch)
                    }
                    blackHole(y)
                } setup: { _ = weights() }
            }
        }
    }
}
