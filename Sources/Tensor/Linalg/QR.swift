import CLinearAlgebra

/// QR factorisation over leading batch axes.
extension Tensor {
    /// Reduced QR `A = Q · R` of each matrix of `[..., m, n]`: `Q [..., m, k]` with orthonormal
    /// columns and upper-triangular `R [..., k, n]`, `k = min(m, n)`.
    ///
    /// Computed without a layout copy as the LQ factorisation of the column-major reading of A,
    /// which is `Aᵀ = L · Q'` (LAPACK `gelqf` + `orglq`, the same Householder reflectors as
    /// `geqrf` + `orgqr` on A), so `Q = Q'ᵀ` and `R = Lᵀ`. `Q` is a strided view of the
    /// factorisation buffer. Throws `shapeMismatch` for rank < 2.
    public func qr() throws -> (Q: Tensor, R: Tensor) {
        let (batch, m, n) = try Lapack.matrixShape(self, op: "qr")
        let k = Swift.min(m, n)
        let a = copied(as: .float32)
        let r = Tensor(zeros: batch + [k, n])
        let ln = try Lapack.int(n, op: "qr"), lm = try Lapack.int(m, op: "qr"), lk = try Lapack.int(k, op: "qr")
        let lda = try Lapack.int(n, op: "qr", minimum: 1)
        var tau = [Float](repeating: 0, count: Swift.max(k, 1))
        for b in 0..<(k == 0 ? 0 : batch.reduce(1, *)) {
            let p = a.storage.floats + b * m * n
            var info = LAPACKE_sgelqf(Lapack.columnMajor, ln, lm, p, lda, &tau)
            try Lapack.check(info, op: "qr", routine: "sgelqf", matrix: b) { _ in "factorisation failed" }
            // R[i, j] = L[j, i] for j >= i: the upper triangle of the buffer's first k rows.
            let rp = r.storage.floats + b * k * n
            for i in 0..<k {
                (rp + i * n + i).update(from: p + i * n + i, count: n - i)
            }
            info = LAPACKE_sorglq(Lapack.columnMajor, lk, lm, lk, p, lda, tau)
            try Lapack.check(info, op: "qr", routine: "sorglq", matrix: b) { _ in "forming Q failed" }
        }
        return (a[.ellipsis, 0..<k], r)
    }
}
