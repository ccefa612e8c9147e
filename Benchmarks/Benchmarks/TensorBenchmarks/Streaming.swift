import Benchmark
import Kernels
import Tensor

/// The streaming kernels over a [1024, 4096] Float32 tensor against a plain copy of the same 16 MiB, in one
/// run: each name carries the MiB the kernel reads and writes, so `(MiB / time) / (32 MiB / copy time)` is its
/// fraction of copy bandwidth (`Benchmarks/kernel_table.py` prints that table from the run's output).
func streamingBenchmarks() {
    let x = Tensor.randomNormal([1024, 4096], seed: 5)
    let up = Tensor.randomNormal([1024, 4096], seed: 6)
    Benchmark("copy [1024, 4096] (32 MiB moved)") { bench in
        var out = [Float](repeating: 0, count: x.count)
        x.withContiguousFloats { src in
            out.withUnsafeMutableBufferPointer { dst in
                for _ in bench.scaledIterations { dst.baseAddress!.update(from: src, count: x.count) }
            }
        }
        blackHole(out)
    }
    let unary: [(String, (Tensor) -> Tensor)] = [
        ("softmax", { $0.softmax(axis: -1) }),
        ("logSoftmax", { $0.logSoftmax(axis: -1) }),
        ("layerNormalized", { $0.layerNormalized(eps: 1e-5).normalized }),
        ("rmsNormalized", { $0.rmsNormalized(eps: 1e-6).normalized }),
        ("gelu exact", { $0.gelu() }),
        ("geluNew", { $0.geluNew() }),
        ("geluFast", { $0.geluFast() }),
        ("silu", { $0.silu() }),
    ]
    for (name, op) in unary {
        Benchmark("\(name) [1024, 4096] (32 MiB moved)") { bench in
            for _ in bench.scaledIterations { blackHole(op(x)) }
        }
    }
    Benchmark("gated silu [1024, 4096] (48 MiB moved)") { bench in
        for _ in bench.scaledIterations { blackHole(x.gated(.silu, up)) }
    }
    // Rotary over 32 heads × 1024 positions × d_head 128, fully rotated, half-split and adjacent pairs.
    let heads = x.reshaped([32, 1024, 128])
    let tables = Tensor.rotaryTables(positions: Array(0..<1024), rotaryDim: 128, base: 10_000)
    for adjacent in [false, true] {
        Benchmark("rotary \(adjacent ? "adjacent" : "halves") [32, 1024, 128] (32 MiB moved)") { bench in
            for _ in bench.scaledIterations {
                blackHole(heads.applyingRotary(cos: tables.cos, sin: tables.sin, rotaryDim: 128, adjacentPairs: adjacent))
            }
        }
    }
    for dtype in [DType.bfloat16, .float16] {
        let half = x.converted(to: dtype)
        Benchmark("convert \(dtype) -> float32 [1024, 4096] (24 MiB moved)") { bench in
            for _ in bench.scaledIterations { blackHole(half.converted(to: .float32)) }
        }
        Benchmark("convert float32 -> \(dtype) [1024, 4096] (24 MiB moved)") { bench in
            for _ in bench.scaledIterations { blackHole(x.converted(to: dtype)) }
        }
    }
}

/// `einsum` on transformer contractions against the same product through `matmul`.
func einsumBenchmarks() {
    let resid = Tensor.randomNormal([1, 128, 768], seed: 6)
    let wIn = Tensor.randomNormal([768, 3072], seed: 7)
    Benchmark("einsum batch pos d_model, d_model d_mlp (128x768 @ 768x3072)") { bench in
        for _ in bench.scaledIterations {
            blackHole(try! Tensor.einsum("batch pos d_model, d_model d_mlp -> batch pos d_mlp", resid, wIn))
        }
    }
    let q = Tensor.randomNormal([1, 128, 12, 64], seed: 8)
    let k = Tensor.randomNormal([1, 128, 12, 64], seed: 9)
    Benchmark("einsum attention scores bqhd,bkhd->bhqk (12x128x64)") { bench in
        for _ in bench.scaledIterations { blackHole(try! Tensor.einsum("bqhd,bkhd->bhqk", q, k)) }
    }
    Benchmark("Tensor.matmul attention scores from permuted views (12x128x64)") { bench in
        for _ in bench.scaledIterations {
            blackHole(q.permuted([0, 2, 1, 3]).matmul(k.permuted([0, 2, 3, 1])))
        }
    }
}
