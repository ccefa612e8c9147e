import Kernels

/// Running sums along an axis.
extension Tensor {
    /// `out[..., i, ...] = Σ_{j ≤ i} x[..., j, ...]` along `axis`, accumulated in order in Float32
    /// (as NumPy `cumsum` on float32). Same shape as the input; a rank-0 tensor is returned as is.
    public func cumsum(axis: Int) -> Tensor {
        if rank == 0 { return float32Storage().contiguous() }
        let a = Shape.axis(axis, rank: rank, op: "cumsum")
        let x = float32Contiguous()
        let out = Tensor(zeros: shape)
        let outer = shape[..<a].reduce(1, *), length = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        if out.count == 0 { return out }
        let src = UnsafePointer(x.floatPointer), dst = out.floatPointer
        Parallel.forChunks(outer, costPerElement: length * inner) { start, end in
            for o in start..<end {
                let base = o * length * inner
                Tensor.runningSum(src + base, dst + base, length: length, inner: inner)
            }
        }
        return out
    }

    /// `dst[r, k] = dst[r-1, k] + src[r, k]` over a contiguous `[length, inner]` block.
    private static func runningSum(
        _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, length: Int, inner: Int
    ) {
        if inner == 1 {
            var s: Float = 0
            for r in 0..<length {
                s += src[r]
                dst[r] = s
            }
            return
        }
        dst.update(from: src, count: inner)
        for r in 1..<length {
            let prev = UnsafePointer(dst + (r - 1) * inner), x = src + r * inner, row = dst + r * inner
            var k = 0
            while k + 16 <= inner {
                let sum = ReductionKernels.load(prev + k) + ReductionKernels.load(x + k)
                UnsafeMutableRawPointer(row + k).storeBytes(of: sum, as: SIMD16<Float>.self)
                k += 16
            }
            while k < inner {
                row[k] = prev[k] + x[k]
                k += 1
            }
        }
    }
}
