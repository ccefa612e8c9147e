/// Sum, max or min over a set of axes of a strided tensor: the small reduction that einsum,
/// einops `reduce` and the matrix norms need (the public reductions live elsewhere).
enum AxisFold {
    /// The fold applied along the reduced axes.
    enum Op {
        case sum, max, min

        /// The value an empty fold returns.
        var identity: Float {
            switch self {
            case .sum: return 0
            case .max: return -.infinity
            case .min: return .infinity
            }
        }
    }

    /// `out[kept] = fold over axes of x[...]`, contiguous Float32 with the `axes` removed.
    static func apply(_ x: Tensor, over axes: Set<Int>, _ op: Op) -> Tensor {
        let x = x.float32Storage()
        let kept = x.shape.indices.filter { !axes.contains($0) }
        let out = Tensor.full(kept.map { x.shape[$0] }, op.identity)
        let keptStrides = Shape.contiguousStrides(out.shape)
        var outStrides = [Int](repeating: 0, count: x.rank)
        for (j, axis) in kept.enumerated() { outStrides[axis] = keptStrides[j] }
        let px = x.storage.floats, po = out.storage.floats
        StridedRows.forEach(shape: x.shape, strides: [outStrides, x.strides], offsets: [0, x.offset]) { o, n, s in
            if s[0] == 0 {
                po[o[0]] = combine(op, po[o[0]], fold(op, px + o[1], s[1], n))
            } else {
                accumulate(op, into: po + o[0], s[0], from: px + o[1], s[1], n)
            }
        }
        return out
    }

    @inline(__always) private static func combine(_ op: Op, _ a: Float, _ b: Float) -> Float {
        switch op {
        case .sum: return a + b
        case .max: return a > b || a.isNaN ? a : b
        case .min: return a < b || a.isNaN ? a : b
        }
    }

    /// `out[i*so] = out[i*so] ∘ x[i*sx]` for i < n.
    private static func accumulate(
        _ op: Op, into out: UnsafeMutablePointer<Float>, _ so: Int,
        from x: UnsafeMutablePointer<Float>, _ sx: Int, _ n: Int
    ) {
        if op == .sum && so == 1 && sx == 1 {
            for i in 0..<n { out[i] = out[i] + x[i] }
            return
        }
        for i in 0..<n { out[i * so] = combine(op, out[i * so], x[i * sx]) }
    }

    /// The fold of `x[i*sx]` for i < n; a sum of a unit-stride row uses SIMD16 accumulators.
    private static func fold(_ op: Op, _ x: UnsafeMutablePointer<Float>, _ sx: Int, _ n: Int) -> Float {
        guard op == .sum && sx == 1 else {
            var acc = op.identity
            for i in 0..<n { acc = combine(op, acc, x[i * sx]) }
            return acc
        }
        // s = Σ x[i], sixteen lanes at a time, then the tail.
        var lanes = SIMD16<Float>(repeating: 0)
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= n {
            lanes = lanes + raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var acc = lanes.sum()
        while i < n {
            acc += x[i]
            i += 1
        }
        return acc
    }
}
