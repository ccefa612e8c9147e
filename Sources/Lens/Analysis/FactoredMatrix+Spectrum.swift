/// Spectral quantities of a factored matrix, computed from its thin factors.
extension FactoredMatrix {
    /// The reduced SVD `M = U · diag(S) · Vᵀ` (`U [..., ldim, k]`, `S [..., k]` descending,
    /// `V [..., rdim, k]`, `k = min(ldim, mdim, rdim)`), from the factors as TransformerLens does:
    /// `A = Ua Sa Vaᵀ`, `B = Ub Sb Vbᵀ`, then the SVD of the small core `diag(Sa) Vaᵀ Ub diag(Sb) = Um Sm Vmᵀ`
    /// gives `U = Ua Um`, `S = Sm`, `V = Vb Vm`.
    public func svd() throws -> (U: Tensor, S: Tensor, V: Tensor) {
        let (ua, sa, vha) = try A.svd()
        let (ub, sb, vhb) = try B.svd()
        let middle = (sa.unsqueezed(-1) * vha).matmul(ub) * sb.unsqueezed(-2)
        let (um, sm, vhm) = try middle.svd()
        return (ua.matmul(um), sm, vhb.transposed(-2, -1).matmul(vhm.transposed(-2, -1)))
    }

    /// Left singular vectors `[..., ldim, k]`.
    public var U: Tensor { get throws { try svd().U } }
    /// Singular values `[..., k]`, descending.
    public var S: Tensor { get throws { try svd().S } }
    /// Right singular vectors `[..., rdim, k]` (so `M = U diag(S) Vᵀ`).
    public var V: Tensor { get throws { try svd().V } }

    /// Frobenius norm `sqrt(Σ S²)` per matrix `[...]`.
    public func norm() throws -> Tensor {
        (try S).square().sum(axis: -1).sqrt()
    }

    /// The non-zero eigenvalues of a square `M`, from the small `B · A` (`[..., mdim]`, LAPACK order):
    /// if `BAv = λv` then `AB(Av) = λ(Av)`. Real and imaginary parts.
    public var eigenvalues: (real: Tensor, imaginary: Tensor) {
        get throws {
            guard ldim == rdim else {
                throw LensError.invalidArgument("eigenvalues need a square matrix, shape is \(shape)")
            }
            return try BA.eigvals()
        }
    }

    /// The same matrix as `(U √S) · (√S Vᵀ)`: each factor holds half of every singular value and has
    /// orthogonal columns / rows.
    public func makeEven() throws -> FactoredMatrix {
        let (u, s, v) = try svd()
        let root = s.sqrt()
        return FactoredMatrix(u * root.unsqueezed(-2), root.unsqueezed(-1) * v.transposed(-2, -1))
    }

    /// `diag(S) Vᵀ` `[..., k, rdim]`: the matrix with its left orthogonal factor removed (same norms and
    /// right-products as `M`).
    public func collapseL() throws -> Tensor {
        let (_, s, v) = try svd()
        return s.unsqueezed(-1) * v.transposed(-2, -1)
    }

    /// `U diag(S)` `[..., ldim, k]`: the matrix with its right orthogonal factor removed.
    public func collapseR() throws -> Tensor {
        let (u, s, _) = try svd()
        return u * s.unsqueezed(-2)
    }
}
