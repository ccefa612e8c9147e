/// Moments and vector norms over any set of axes (`nil` = every axis), Float32 results.
extension Tensor {
    /// `Σ (x - mean)² / max(n - correction, 0)` over `axes`, two-pass; `correction` is NumPy's
    /// `ddof` (0 = population variance, 1 = sample variance as `torch.var`'s default).
    public func variance(axes: [Int]? = nil, keepDims: Bool = false, correction: Int = 0) -> Tensor {
        let n = reducedCount(axes, op: "variance")
        let centred = self - mean(axes: axes, keepDims: true)
        return centred.square().sum(axes: axes, keepDims: keepDims) / Float(Swift.max(n - correction, 0))
    }

    /// `√variance` over `axes` with the same `correction` (NumPy `ddof`).
    public func std(axes: [Int]? = nil, keepDims: Bool = false, correction: Int = 0) -> Tensor {
        variance(axes: axes, keepDims: keepDims, correction: correction).sqrt()
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
            precondition(p > 0, "norm: order p = \(p) must be positive, 0 or ±infinity")
            return abs().pow(p).sum(axes: axes, keepDims: keepDims).pow(1 / p)
        }
    }
}
