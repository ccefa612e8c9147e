import Kernels

/// `y = x · W + b` for `x [..., k]`, `W [k, n]` and optional `b [n]`: one GEMM whose output starts as the
/// broadcast bias (`beta = 1`), so no separate bias pass or second buffer. Returns `[..., n]`.
func linear(_ x: Tensor, _ w: Tensor, bias: Tensor?) -> Tensor {
    ensure(w.rank == 2 && x.shape.last == w.shape[0],
                 "linear: input \(x.shape) does not match weight \(w.shape)")
    let k = w.shape[0], n = w.shape[1]
    let rows = x.reshaped([-1, k]).contiguousFloat32()
    let m = rows.shape[0]
    let out = Tensor(zeros: Array(x.shape.dropLast()) + [n])
    if m == 0 || n == 0 { return out }
    let c = out.elementPointer
    if let bias {
        let b = bias.contiguousFloat32().elementPointer
        for i in 0..<m { (c + i * n).update(from: b, count: n) }
    }
    var weight = w.converted(to: .float32)
    var transB = false, ldb = weight.strides[0]
    if weight.strides[1] == 1 && weight.strides[0] >= n {
        ldb = max(weight.strides[0], 1)
    } else if weight.strides[0] == 1 && weight.strides[1] >= k {
        transB = true
        ldb = max(weight.strides[1], 1)
    } else {
        weight = weight.contiguous()
        ldb = n
    }
    if k == 0 { return out }
    BLAS.sgemm(transA: false, transB: transB, m: m, n: n, k: k, a: rows.elementPointer, lda: k,
               b: weight.elementPointer, ldb: ldb, beta: bias == nil ? 0 : 1, c: c, ldc: n)
    return out
}
