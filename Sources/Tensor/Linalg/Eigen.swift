import CLinearAlgebra

/// Eigenvalue problems over leading batch axes.
extension Tensor {
    /// Eigendecomposition of symmetric matrices `[..., n, n]` (LAPACK `syevd`), reading only the
    /// lower triangle like NumPy's `eigh`: `A · vectors[..., :, i] = values[..., i] · vectors[..., :, i]`.
    ///
    /// `values [..., n]` ascend; `vectors [..., n, n]` holds orthonormal eigenvectors in its columns
    /// (returned as a transposed view). Throws `shapeMismatch` for non-square input and
    /// `numerical` when syevd does not converge.
    public func eigh() throws -> (values: Tensor, vectors: Tensor) {
        let (batch, n, _) = try Lapack.matrixShape(self, op: "eigh", square: true)
        let a = copied(as: .float32)
        let w = Tensor(zeros: batch + [n])
        let ln = try Lapack.int(n, op: "eigh"), lda = try Lapack.int(n, op: "eigh", minimum: 1)
        for b in 0..<(n == 0 ? 0 : batch.reduce(1, *)) {
            // Row-major A is column-major Aᵀ: its lower triangle is Aᵀ's upper one ("U").
            // The eigenvectors come back as column-major columns, i.e. as the rows of the buffer.
            let info = LAPACKE_ssyevd(Lapack.columnMajor, Lapack.char("V"), Lapack.char("U"), ln,
                                      a.storage.floats + b * n * n, lda, w.storage.floats + b * n)
            try Lapack.check(info, op: "eigh", routine: "ssyevd", matrix: b) { _ in
                "the eigenvalue algorithm did not converge"
            }
        }
        return (w, a.transposed())
    }

    /// Eigenvalues of general square matrices `[..., n, n]` (LAPACK `geev`, no vectors) as their
    /// real and imaginary parts `[..., n]`, in LAPACK's order (not sorted; conjugate pairs adjacent,
    /// positive imaginary part first). Throws `shapeMismatch` for non-square input and `numerical`
    /// when the QR algorithm fails.
    public func eigvals() throws -> (real: Tensor, imaginary: Tensor) {
        let (batch, n, _) = try Lapack.matrixShape(self, op: "eigvals", square: true)
        let a = copied(as: .float32)
        let re = Tensor(zeros: batch + [n]), im = Tensor(zeros: batch + [n])
        let ln = try Lapack.int(n, op: "eigvals"), lda = try Lapack.int(n, op: "eigvals", minimum: 1)
        for b in 0..<(n == 0 ? 0 : batch.reduce(1, *)) {
            // Aᵀ (the column-major reading of A) has the same eigenvalues as A.
            let info = LAPACKE_sgeev(Lapack.columnMajor, Lapack.char("N"), Lapack.char("N"), ln,
                                     a.storage.floats + b * n * n, lda, re.storage.floats + b * n,
                                     im.storage.floats + b * n, nil, 1, nil, 1)
            try Lapack.check(info, op: "eigvals", routine: "sgeev", matrix: b) { i in
                "the QR algorithm failed; only eigenvalues \(i + 1)...\(n) converged"
            }
        }
        return (re, im)
    }
}
