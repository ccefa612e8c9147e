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

/// The backward of `linear` with respect to its input (weights fixed): `dx = dy · Wᵀ` for `dy [..., n]` and
/// `W [k, n]` (either memory order), one GEMM with the transpose folded into BLAS. Returns `[..., k]`.
/// Every weight product of the backward pass goes through this function or `headLinearBackward`.
func linearBackward(_ dy: Tensor, _ w: Tensor) -> Tensor {
    ensure(w.rank == 2 && dy.shape.last == w.shape[1],
           "linearBackward: gradient \(dy.shape) does not match weight \(w.shape)")
    let k = w.shape[0], n = w.shape[1]
    let rows = dy.reshaped([-1, n]).contiguousFloat32()
    let m = rows.shape[0]
    let out = Tensor(uninitialized: Array(dy.shape.dropLast()) + [k])
    if m == 0 || k == 0 { return out }
    if n == 0 { return Tensor(zeros: out.shape) }
    var weight = w.converted(to: .float32)
    // dx[m, k] = dy[m, n] · W[k, n]ᵀ: row-major W is read transposed, a transposed view as it is.
    var transB = true, ldb = weight.strides[0]
    if weight.strides[1] == 1 && weight.strides[0] >= n {
        ldb = max(weight.strides[0], 1)
    } else if weight.strides[0] == 1 && weight.strides[1] >= k {
        transB = false
        ldb = max(weight.strides[1], 1)
    } else {
        weight = weight.contiguous()
        ldb = n
    }
    BLAS.sgemm(transA: false, transB: transB, m: m, n: k, k: n, a: rows.elementPointer, lda: n,
               b: weight.elementPointer, ldb: ldb, beta: 0, c: out.elementPointer, ldc: k)
    return out
}

/// The input gradient of a per-head projection `y[b, p, h] = x[b, p, h] · W[h]` (`W [heads, k, n]`):
/// `dx[b, p, h] = dy[b, p, h] · W[h]ᵀ` for `dy [batch, pos, heads, n]`. Returns `[batch, pos, heads, k]`.
func headLinearBackward(_ dy: Tensor, _ w: Tensor) -> Tensor {
    ensure(w.rank == 3 && dy.rank == 4 && dy.shape[2] == w.shape[0] && dy.shape[3] == w.shape[2],
           "headLinearBackward: gradient \(dy.shape) does not match weight \(w.shape)")
    let perHead = dy.permuted([0, 2, 1, 3]).matmul(w.converted(to: .float32).transposed(-2, -1))
    return perHead.permuted([0, 2, 1, 3]).contiguous()
}
