/// Which matrix norm `matrixNorm` computes.
public enum MatrixNorm: String, Sendable, CaseIterable {
    /// `‖A‖_F = √(Σ a_ij²)`.
    case frobenius
    /// `‖A‖_* = Σ σ_i` (sum of singular values).
    case nuclear
    /// `‖A‖_2 = σ_max` (largest singular value).
    case spectral
}

/// Matrix norms and cosine similarity.
extension Tensor {
    /// The `kind` norm of each matrix of `[..., m, n]`, shape `[...]`. Throws `shapeMismatch` for
    /// rank < 2 and, for the SVD-based norms, `numerical` when the SVD does not converge.
    public func matrixNorm(_ kind: MatrixNorm = .frobenius) throws -> Tensor {
        _ = try Lapack.matrixShape(self, op: "matrixNorm")
        switch kind {
        case .frobenius:
            return square().sum(axes: [rank - 2, rank - 1]).sqrt()
        case .nuclear:
            return try singularValues().sum(axes: [rank - 2])
        case .spectral:
            let s = try singularValues()
            return s.shape.last == 0 ? Tensor(zeros: Array(s.shape.dropLast())) : s[.ellipsis, 0].contiguous()
        }
    }

    /// PyTorch's `cosine_similarity`: `Σ (a / max(‖a‖, eps)) · (b / max(‖b‖, eps))` along `axis`
    /// after broadcasting `a` and `b`, with each L2 norm taken along `axis` (default 1, as torch).
    /// The result drops `axis`. Throws `shapeMismatch` when the shapes do not broadcast and
    /// `invalidAxis` when `axis` is out of range.
    public static func cosineSimilarity(_ a: Tensor, _ b: Tensor, axis: Int = 1, eps: Float = 1e-8) throws -> Tensor {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            throw TensorError.shapeMismatch(op: "cosineSimilarity", shapes: [a.shape, b.shape])
        }
        let ax = try Shape.normalize(axis: axis, rank: shape.count, op: "cosineSimilarity")
        let x = a.expanded(to: shape), y = b.expanded(to: shape)
        let floor = Tensor(scalar: eps)
        let nx = Tensor.maximum(x.square().sum(axis: ax).sqrt(), floor).unsqueezed(ax)
        let ny = Tensor.maximum(y.square().sum(axis: ax).sqrt(), floor).unsqueezed(ax)
        return ((x / nx) * (y / ny)).sum(axis: ax)
    }
}
