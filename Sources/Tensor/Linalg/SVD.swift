import CLinearAlgebra

/// Singular value decomposition (LAPACK `gesdd`, divide and conquer) over leading batch axes.
extension Tensor {
    /// `A = U · diag(S) · Vh` for each matrix of `[..., m, n]`, with `S` descending.
    ///
    /// Reduced (default): `U [..., m, k]`, `S [..., k]`, `Vh [..., k, n]`, `k = min(m, n)`;
    /// `fullMatrices`: `U [..., m, m]`, `Vh [..., n, n]`. Throws `shapeMismatch` for rank < 2
    /// and `numerical` when gesdd does not converge.
    public func svd(fullMatrices: Bool = false) throws -> (U: Tensor, S: Tensor, Vh: Tensor) {
        let (batch, m, n) = try Lapack.matrixShape(self, op: "svd")
        let k = Swift.min(m, n)
        let uCols = fullMatrices ? m : k, vRows = fullMatrices ? n : k
        let u = Tensor(zeros: batch + [m, uCols]), s = Tensor(zeros: batch + [k])
        let vh = Tensor(zeros: batch + [vRows, n])
        if k == 0 {
            return fullMatrices ? (Tensor.eye(m).expanded(to: u.shape), s, Tensor.eye(n).expanded(to: vh.shape))
                                : (u, s, vh)
        }
        let a = copied(as: .float32)
        let ln = try Lapack.int(n, op: "svd"), lm = try Lapack.int(m, op: "svd")
        let lu = try Lapack.int(uCols, op: "svd")
        let job = Lapack.char(fullMatrices ? "A" : "S")
        for b in 0..<batch.reduce(1, *) {
            // Row-major A (m×n) is column-major Aᵀ (n×m). gesdd(Aᵀ) = U'·S·V'ᵀ gives A = V'·S·U'ᵀ:
            // V'ᵀ written column-major (uCols×m) reads row-major as U (m×uCols), and
            // U' written column-major (n×vRows) reads row-major as Vh (vRows×n).
            let info = LAPACKE_sgesdd(
                Lapack.columnMajor, job, ln, lm, a.storage.floats + b * m * n, ln,
                s.storage.floats + b * k, vh.storage.floats + b * vRows * n, ln,
                u.storage.floats + b * m * uCols, lu)
            try Lapack.check(info, op: "svd", routine: "sgesdd", matrix: b) { _ in "the SVD did not converge" }
        }
        return (u, s, vh)
    }

    /// The singular values `[..., min(m, n)]` of each matrix of `[..., m, n]`, descending
    /// (gesdd without vectors). Throws like `svd`.
    public func singularValues() throws -> Tensor {
        let (batch, m, n) = try Lapack.matrixShape(self, op: "singularValues")
        let k = Swift.min(m, n)
        let s = Tensor(zeros: batch + [k])
        if k == 0 { return s }
        let a = copied(as: .float32)
        let (ln, lm) = (try Lapack.int(n, op: "singularValues"), try Lapack.int(m, op: "singularValues"))
        for b in 0..<batch.reduce(1, *) {
            // Aᵀ has the same singular values as A.
            let info = LAPACKE_sgesdd(Lapack.columnMajor, Lapack.char("N"), ln, lm, a.storage.floats + b * m * n, ln,
                                      s.storage.floats + b * k, nil, 1, nil, 1)
            try Lapack.check(info, op: "singularValues", routine: "sgesdd", matrix: b) { _ in
                "the SVD did not converge"
            }
        }
        return s
    }

    /// Moore–Penrose pseudo-inverse `A⁺ = V · diag(1/σ) · Uᵀ` of each matrix of `[..., m, n]`
    /// (result `[..., n, m]`); singular values `σ ≤ rcond · σ_max` count as zero. Default `rcond`:
    /// `max(m, n) · ε` (NumPy 2 and PyTorch). Throws like `svd`.
    public func pinv(rcond: Float? = nil) throws -> Tensor {
        let (_, m, n) = try Lapack.matrixShape(self, op: "pinv")
        let (u, s, vh) = try svd()
        if Swift.min(m, n) == 0 { return Tensor(zeros: Array(shape.dropLast(2)) + [n, m]) }
        let cutoff = s[.ellipsis, 0..<1] * (rcond ?? Float(Swift.max(m, n)) * Float.ulpOfOne)
        let inverse = Tensor.where(s .> cutoff, 1 / s, Tensor(scalar: 0))
        return (vh.transposed() * inverse.unsqueezed(-2)).matmul(u.transposed())
    }
}
