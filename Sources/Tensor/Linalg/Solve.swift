import CLinearAlgebra

/// Linear systems over leading batch axes: solve, inverse, least squares.
extension Tensor {
    /// `x` with `A · x = b` for square `A = self [..., n, n]` (LU with partial pivoting: `getrf` +
    /// `getrs`). `b` is a vector `[n]` (result `[..., n]`) when it has rank 1, else `[..., n, k]`
    /// (result `[..., n, k]`); batch axes broadcast (NumPy 2 rules). Throws `shapeMismatch` for
    /// incompatible shapes and `numerical` naming the zero pivot when A is singular.
    public func solve(_ b: Tensor) throws -> Tensor {
        let (batchA, n, _) = try Lapack.matrixShape(self, op: "solve", square: true)
        let rhs = b.rank == 1 ? b.unsqueezed(1) : b
        let batch = try Lapack.rhsBatch(rhs, rows: n, batch: batchA, op: "solve", shapes: [shape, b.shape])
        let k = rhs.shape[rhs.rank - 1]
        // Row-major A reads column-major as Aᵀ; solving with Aᵀ's LU transposed ("T") solves A x = b.
        // Column-major B (n×k) is the row-major buffer of Bᵀ, and X comes back the same way.
        let lu = expanded(to: batch + [n, n]).copied(as: .float32)
        let x = rhs.expanded(to: batch + [n, k]).transposed().copied(as: .float32)
        let ln = try Lapack.int(n, op: "solve"), lk = try Lapack.int(k, op: "solve")
        let ld = try Lapack.int(n, op: "solve", minimum: 1)
        var pivots = [Lapack.Index](repeating: 0, count: Swift.max(n, 1))
        for i in 0..<(n == 0 ? 0 : batch.reduce(1, *)) {
            let p = lu.storage.floats + i * n * n
            var info = LAPACKE_sgetrf(Lapack.columnMajor, ln, ln, p, ld, &pivots)
            try Lapack.check(info, op: "solve", routine: "sgetrf", matrix: i, Tensor.singular)
            info = LAPACKE_sgetrs(Lapack.columnMajor, Lapack.char("T"), ln, lk, p, ld, pivots,
                                  x.storage.floats + i * k * n, ld)
            try Lapack.check(info, op: "solve", routine: "sgetrs", matrix: i) { _ in "back substitution failed" }
        }
        let solution = x.transposed()
        return b.rank == 1 ? solution.squeezed([solution.rank - 1]) : solution
    }

    /// `A⁻¹` for each square matrix of `[..., n, n]` (`getrf` + `getri`). Throws `shapeMismatch`
    /// for non-square input and `numerical` naming the zero pivot when A is singular.
    public func inverse() throws -> Tensor {
        let (batch, n, _) = try Lapack.matrixShape(self, op: "inverse", square: true)
        // The column-major reading of A is Aᵀ, and (Aᵀ)⁻¹ read back row-major is A⁻¹.
        let a = copied(as: .float32)
        let ln = try Lapack.int(n, op: "inverse"), ld = try Lapack.int(n, op: "inverse", minimum: 1)
        var pivots = [Lapack.Index](repeating: 0, count: Swift.max(n, 1))
        for i in 0..<(n == 0 ? 0 : batch.reduce(1, *)) {
            let p = a.storage.floats + i * n * n
            var info = LAPACKE_sgetrf(Lapack.columnMajor, ln, ln, p, ld, &pivots)
            try Lapack.check(info, op: "inverse", routine: "sgetrf", matrix: i, Tensor.singular)
            info = LAPACKE_sgetri(Lapack.columnMajor, ln, p, ld, pivots)
            try Lapack.check(info, op: "inverse", routine: "sgetri", matrix: i, Tensor.singular)
        }
        return a
    }

    /// Least-squares `x = argmin ‖A·x − b‖₂` for `A = self [..., m, n]`, the minimum-norm solution
    /// when A is rank-deficient (LAPACK `gelsd`); singular values `≤ rcond · σ_max` count as zero
    /// (default `max(m, n) · ε`, NumPy's). `b` is `[m]` (result `[..., n]`) or `[..., m, k]`
    /// (result `[..., n, k]`). Throws `shapeMismatch` for incompatible shapes and `numerical`
    /// when the SVD does not converge.
    public func lstsq(_ b: Tensor, rcond: Float? = nil) throws -> Tensor {
        let (batchA, m, n) = try Lapack.matrixShape(self, op: "lstsq")
        let rhs = b.rank == 1 ? b.unsqueezed(1) : b
        let batch = try Lapack.rhsBatch(rhs, rows: m, batch: batchA, op: "lstsq", shapes: [shape, b.shape])
        let k = rhs.shape[rhs.rank - 1], rows = Swift.max(m, n, 1)
        // gelsd needs A itself column-major (the row-major buffer of Aᵀ), and a column-major
        // rows×k right-hand side whose first n rows become the solution.
        let a = expanded(to: batch + [m, n]).transposed().copied(as: .float32)
        var x = Tensor(zeros: batch + [k, rows])
        x.assign(rhs.expanded(to: batch + [m, k]).transposed(), to: [.ellipsis, .slice(start: 0, end: m, step: 1)])
        let lm = try Lapack.int(m, op: "lstsq"), ln = try Lapack.int(n, op: "lstsq")
        let lk = try Lapack.int(k, op: "lstsq")
        let lda = try Lapack.int(m, op: "lstsq", minimum: 1), ldb = try Lapack.int(rows, op: "lstsq")
        let cutoff = rcond ?? Float(Swift.max(m, n)) * Float.ulpOfOne
        var singular = [Float](repeating: 0, count: Swift.max(Swift.min(m, n), 1))
        var rank: Lapack.Index = 0
        for i in 0..<(Swift.min(m, n) == 0 ? 0 : batch.reduce(1, *)) {
            let info = LAPACKE_sgelsd(Lapack.columnMajor, lm, ln, lk, a.storage.floats + i * m * n, lda,
                                      x.storage.floats + i * k * rows, ldb, &singular, cutoff, &rank)
            try Lapack.check(info, op: "lstsq", routine: "sgelsd", matrix: i) { _ in "the SVD did not converge" }
        }
        let solution = x[.ellipsis, 0..<n].transposed()
        return b.rank == 1 ? solution.squeezed([solution.rank - 1]) : solution
    }

    /// The meaning of a positive `getrf`/`getri` info: a zero pivot.
    private static func singular(_ info: Int) -> String {
        "the matrix is singular: U[\(info - 1), \(info - 1)] is exactly zero"
    }
}
