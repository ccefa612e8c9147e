import Benchmark
import Tensor

/// Softmax, LayerNorm and GELU over a [1024, 4096] Float32 tensor (16 MiB in, 16 MiB out) against a
/// plain copy of the same bytes: the ratio of their throughputs is the fraction of copy bandwidth.
func streamingBenchmarks() {
    let x = Tensor.randomNormal([1024, 4096], seed: 5)
    let bytes = x.count * 4 * 2
    let megabytes = "\(bytes >> 20) MiB moved"
    Benchmark("copy [1024, 4096] (\(megabytes))") { bench in
        var out = [Float](repeating: 0, count: x.count)
        x.withContiguousFloats { src in
            out.withUnsafeMutableBufferPointer { dst in
                for _ in bench.scaledIterations { dst.baseAddress!.update(from: src, count: x.count) }
            }
        }
        blackHole(out)
    }
    Benchmark("softmax [1024, 4096] (\(megabytes))") { bench in
        for _ in bench.scaledIterations { blackHole(x.softmax(axis: -1)) }
    }
    Benchmark("layerNormalized [1024, 4096] (\(megabytes))") { bench in
        for _ in bench.scaledIterations { blackHole(x.layerNormalized(eps: 1e-5)) }
    }
    Benchmark("geluNew [1024, 4096] (\(megabytes))") { bench in
        for _ in bench.scaledIterations { blackHole(x.geluNew()) }
    }
    Benchmark("gelu exact [1024, 4096] (\(megabytes))") { bench in
        for _ in bench.scaledIterations { blackHole(x.gelu()) }
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
