/// Moments and vector norms over any set of axes (`nil` = every axis), Float32 results.
extension Tensor {
    /// `Σ (x - mean)² / max(n - correction, 0)` over `axes`, two-pass; `correction` is NumPy's
    /// `ddof` (0 = population variance, 1 = sample variance as `torch.var`'s default).
    /// The variance of no elements is NaN.
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, correction: Int = 0) -> Tensor {
        let reduce = reductionAxes(axes, op: "variance")
        let n = reduce.reduce(1) { $0 * shape[$1] }
        let out = Tensor(zeros: reducedShape(reduce, keepDims: keepDims))
        let m = out.count
        if m == 0 { return out }
        if n == 0 { return .full(out.shape, .nan) }
        let rows = permuted(shape.indices.filter { !reduce.contains($0) } + reduce).float32Contiguous()
        let src = UnsafePointer(rows.floatPointer), dst = out.floatPointer
        ReductionKernels.foldRows(SumFold.self, src, rows: m, length: n, dst)
        let means = (0..<m).map { dst[$0] / Float(n) }
        ReductionKernels.reduceRows(SumFold.self, rows: m, length: n, dst) { r, start, count in
            ReductionKernels.squaredDeviations(src + r * n + start, count, mean: means[r])
        }
        let divisor = Float(Swift.max(n - correction, 0))
        for i in 0..<m { dst[i] /= divisor }
        return out
    }

    /// `√variance` over `axes` with the same `correction` (NumPy `ddof`).
    public func std(axes: [Int]? = nil, keepDims: Bool = false, correction: Int = 0) -> Tensor {
        variance(axes: axes, keepDims: keepDims, correction: correction).sqrt()
    }

    /// Kurtosis over `axes`: `mean(((x − μ) / σ)⁴) − 3·fisher` with `σ` of the given `correction` (the
    /// Othello-GPT tutorial's `kurtosis` uses `torch.std`, `correction` 1). Fisher's (excess) kurtosis is 0 for
    /// a normal distribution.
    public func kurtosis(axes: [Int]? = nil, keepDims: Bool = false, fisher: Bool = true, correction: Int = 1) -> Tensor {
        let z = (self - mean(axes: axes, keepDims: true)) / std(axes: axes, keepDims: true, correction: correction)
        return z.square().square().mean(axes: axes, keepDims: keepDims) - (fisher ? 3 : 0)
    }

    /// The L2 norm `√(Σ x²)` over `axes` (the whole tensor when nil).
    public func norm(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        square().sum(axes: axes, keepDims: keepDims).sqrt()
    }

    /// The vector p-norm over `axes`, as NumPy's `vector_norm` `ord`: `(Σ |x|^p)^(1/p)` for
    /// `p > 0`, `max |x|` for `+∞`, `min |x|` for `-∞`, and the count of nonzeros for `p = 0`.
    public func norm(p: Float, axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        switch p {
        case 2: return norm(axes: axes, keepDims: keepDims)
        case 1: return abs().sum(axes: axes, keepDims: keepDims)
        case .infinity: return abs().max(axes: axes, keepDims: keepDims)
        case -.infinity: return abs().min(axes: axes, keepDims: keepDims)
        case 0: return (self .!= Tensor(scalar: 0)).sum(axes: axes, keepDims: keepDims)
        default:
            ensure(p > 0, "norm: order p = \(p) must be positive, 0 or ±infinity")
            return abs().pow(p).sum(axes: axes, keepDims: keepDims).pow(1 / p)
        }
    }
}
