import CLinearAlgebra

/// Thin, typed bridge over OpenBLAS's row-major `cblas_sgemm`.
public enum BLAS {
    /// Row-major GEMM: `C[m, n] = alpha * op(A)[m, k] · op(B)[k, n] + beta * C`.
    /// `lda`, `ldb`, `ldc` are the row strides (in elements) of the stored matrices.
    @inlinable
    public static func sgemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }

    /// Number of threads OpenBLAS uses inside one GEMM call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(newValue)) }
    }
}
