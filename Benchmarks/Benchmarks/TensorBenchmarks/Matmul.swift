import Benchmark
import Kernels
import Tensor

/// GEMM shapes of a GPT-2-small forward: (m, k, n).
private let gemmShapes: [(Int, Int, Int)] = [(128, 768, 3072), (128, 768, 768), (1024, 768, 768)]

/// `Tensor.matmul` and `einsum` against a direct `cblas_sgemm` call on the same buffers.
func matmulBenchmarks() {
    for (m, k, n) in gemmShapes {
        let a = Tensor.randomNormal([m, k], seed: 1)
        let b = Tensor.randomNormal([k, n], seed: 2)
        let label = "\(m)x\(k) @ \(k)x\(n)"
        Benchmark("sgemm direct \(label)", configuration: .init(scalingFactor: .one)) { bench in
            var c = [Float](repeating: 0, count: m * n)
            a.withContiguousFloats { pa in
                b.withContiguousFloats { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        for _ in bench.scaledIterations {
                            BLAS.sgemm(transA: false, transB: false, m: m, n: n, k: k,
                                       a: pa, lda: k, b: pb, ldb: n, c: pc.baseAddress!, ldc: n)
                        }
                    }
                }
            }
            blackHole(c)
        }
        Benchmark("Tensor.matmul \(label)") { bench in
            for _ in bench.scaledIterations { blackHole(a.matmul(b)) }
        }
        Benchmark("Tensor.matmul transposed view \(label)") { bench in
            let bt = b.T.contiguous().T
            for _ in bench.scaledIterations { blackHole(a.matmul(bt)) }
        }
    }
    // Attention scores: q [heads, pos, d_head] @ k^T for 12 heads, 128 positions, d_head 64.
    let q = Tensor.randomNormal([12, 128, 64], seed: 3)
    let kT = Tensor.randomNormal([12, 128, 64], seed: 4)
    Benchmark("sgemm direct batched scores 12x128x64") { bench in
        var c = [Float](repeating: 0, count: 12 * 128 * 128)
        q.withContiguousFloats { pq in
            kT.withContiguousFloats { pk in
                c.withUnsafeMutableBufferPointer { pc in
                    for _ in bench.scaledIterations {
                        for h in 0..<12 {
                            BLAS.sgemm(transA: false, transB: true, m: 128, n: 128, k: 64,
                                       a: pq + h * 128 * 64, lda: 64, b: pk + h * 128 * 64, ldb: 64,
                                       c: pc.baseAddress! + h * 128 * 128, ldc: 128)
                        }
                    }
                }
            }
        }
        blackHole(c)
    }
    Benchmark("Tensor.matmul batched scores 12x128x64") { bench in
        for _ in bench.scaledIterations { blackHole(q.matmul(kT.transposed())) }
    }
}
