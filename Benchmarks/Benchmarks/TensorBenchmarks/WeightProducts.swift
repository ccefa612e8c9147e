import Benchmark
import Kernels
import Tensor

/// Layer shapes `(k, n)` of GPT-2-small, Qwen2.5-0.5B and Llama-3.2-1B feed-forward and attention projections.
private let decodeShapes: [(String, Int, Int)] = [
    ("gpt2 768x3072", 768, 3072), ("gpt2 3072x768", 3072, 768),
    ("qwen0.5b 896x896", 896, 896), ("qwen0.5b 896x4864", 896, 4864), ("qwen0.5b 4864x896", 4864, 896),
    ("llama1b 2048x2048", 2048, 2048), ("llama1b 2048x8192", 2048, 8192), ("llama1b 8192x2048", 8192, 2048),
]

/// Weights `[n, k]` as `nn.Linear` stores them (`transposed`) or `[k, n]`, in `dtype`.
private struct StoredWeight {
    let tensor: Tensor
    let matrix: WeightMatrix

    init(k: Int, n: Int, dtype: DType, transposed: Bool) {
        let rows = transposed ? [n, k] : [k, n]
        tensor = Tensor.randomNormal(rows, std: 0.02, seed: UInt64(k * n)).converted(to: dtype)
        let element: WeightMatrix.Element = dtype == .bfloat16 ? .bfloat16 : dtype == .float16 ? .float16 : .float32
        let base = UnsafeRawPointer(tensor.storage.base)
        matrix = WeightMatrix(base: base, element: element, k: k, n: n, ld: transposed ? k : n, transposed: transposed)
    }
}

/// Decode steps (m = 1): `WeightProduct.gemv` on stored float32 / bfloat16 / float16 weights against `cblas_sgemm`
/// with m = 1 on float32 weights, which repacks the weights on every call. The ratio of throughputs is the
/// tokens/s-equivalent gain of one layer's product.
func decodeBenchmarks() {
    for (name, k, n) in decodeShapes {
        let x = Tensor.randomNormal([4, k], seed: 3)
        let f32 = StoredWeight(k: k, n: n, dtype: .float32, transposed: true)
        Benchmark("decode sgemm m=1 f32 [n,k] \(name)") { bench in
            var y = [Float](repeating: 0, count: n)
            x.withContiguousFloats { px in
                for _ in bench.scaledIterations {
                    BLAS.sgemm(transA: false, transB: true, m: 1, n: n, k: k, a: px, lda: k,
                               b: f32.matrix.base.assumingMemoryBound(to: Float.self), ldb: k, c: &y, ldc: n)
                }
            }
            blackHole(y)
        }
        let variants: [(String, StoredWeight)] = [
            ("f32 [n,k]", f32), ("bf16 [n,k]", StoredWeight(k: k, n: n, dtype: .bfloat16, transposed: true)),
            ("f16 [n,k]", StoredWeight(k: k, n: n, dtype: .float16, transposed: true)),
            ("bf16 [k,n]", StoredWeight(k: k, n: n, dtype: .bfloat16, transposed: false)),
        ]
        for (label, w) in variants {
            for m in [1, 4] where m == 1 || label == "bf16 [n,k]" {
                Benchmark("decode gemv m=\(m) \(label) \(name)") { bench in
                    var y = [Float](repeating: 0, count: m * n)
                    x.withContiguousFloats { px in
                        for _ in bench.scaledIterations {
                            WeightProduct.gemv(px, ldx: k, rows: m, weight: w.matrix, &y, ldy: n)
                        }
                    }
                    blackHole(y)
                }
            }
        }
    }
}

/// Prefill products (m = 16, 128, 1024) with bfloat16 `[n, k]` weights: the whole weight widened once into a
/// Float32 buffer then one sgemm, against `WeightProduct.gemm` widening blocks of 256, 512 or 2048 output
/// columns into a reusable buffer, each followed by an sgemm; float32 weights through sgemm as the peer.
func prefillBenchmarks() {
    for (name, k, n) in [("qwen0.5b 896x4864", 896, 4864), ("llama1b 2048x8192", 2048, 8192)] {
        let f32 = StoredWeight(k: k, n: n, dtype: .float32, transposed: true)
        let bf16 = StoredWeight(k: k, n: n, dtype: .bfloat16, transposed: true)
        for m in [16, 128, 1024] {
            let x = Tensor.randomNormal([m, k], seed: 4)
            let label = "m=\(m) \(name)"
            Benchmark("prefill sgemm f32 weights \(label)") { bench in
                var y = [Float](repeating: 0, count: m * n)
                x.withContiguousFloats { px in
                    for _ in bench.scaledIterations {
                        WeightProduct.gemm(px, ldx: k, rows: m, weight: f32.matrix, &y, ldy: n, scratch: nil)
                    }
                }
                blackHole(y)
            }
            Benchmark("prefill bf16 widened whole + sgemm \(label)") { bench in
                var y = [Float](repeating: 0, count: m * n), wide = [Float](repeating: 0, count: k * n)
                x.withContiguousFloats { px in
                    for _ in bench.scaledIterations {
                        HalfConversion.widen(bf16.matrix.base.assumingMemoryBound(to: UInt16.self), .bfloat16,
                                             to: &wide, count: k * n)
                        BLAS.sgemm(transA: false, transB: true, m: m, n: n, k: k, a: px, lda: k, b: wide, ldb: k,
                                   c: &y, ldc: n)
                    }
                }
                blackHole(y)
            }
            for columns in [256, 512, 2048] {
                Benchmark("prefill bf16 blocks of \(columns) + sgemm \(label)") { bench in
                    var y = [Float](repeating: 0, count: m * n)
                    var scratch = [Float](repeating: 0, count: WeightProduct.scratchCount(for: bf16.matrix, blockColumns: columns))
                    x.withContiguousFloats { px in
                        for _ in bench.scaledIterations {
                            WeightProduct.gemm(px, ldx: k, rows: m, weight: bf16.matrix, &y, ldy: n,
                                               blockColumns: columns, scratch: &scratch)
                        }
                    }
                    blackHole(y)
                }
            }
        }
    }
}
