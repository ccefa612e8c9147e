import Kernels

/// `y = x · W + b` for `x [..., k]`, `W [k, n]` and optional `b [n]`, through `Tensor.matmul(weight:bias:)`:
/// the weight is read in its stored dtype (Float32, Float16 or BFloat16) and layout (row-major, or the transposed
/// view of `nn.Linear`'s `[n, k]`), the arithmetic is Float32, decode-sized inputs take the gemv path (no
/// repacking). Returns contiguous Float32 `[..., n]`. Every weight product of the layers goes through here.
func linear(_ x: Tensor, _ w: Tensor, bias: Tensor?) -> Tensor {
    ensure(w.rank == 2 && x.shape.last == w.shape[0],
           "linear: input \(x.shape) does not match weight \(w.shape)")
    return x.matmul(weight: w, bias: bias)
}

/// The backward of `linear` with respect to its input (weights fixed): `dx = dy · Wᵀ` for `dy [..., n]` and
/// `W [k, n]` in any dtype and either memory order (`Wᵀ` is a view, so the weight is never copied).
/// Returns Float32 `[..., k]`. Every weight product of the backward pass goes through this function or
/// `headLinearBackward`.
func linearBackward(_ dy: Tensor, _ w: Tensor) -> Tensor {
    ensure(w.rank == 2 && dy.shape.last == w.shape[1],
           "linearBackward: gradient \(dy.shape) does not match weight \(w.shape)")
    return dy.matmul(weight: w.T)
}

/// The input gradient of a per-head projection `y[b, p, h] = x[b, p, h] · W[h]` (`W [heads, k, n]`):
/// `dx[b, p, h] = dy[b, p, h] · W[h]ᵀ` for `dy [batch, pos, heads, n]`. Returns `[batch, pos, heads, k]`.
func headLinearBackward(_ dy: Tensor, _ w: Tensor) -> Tensor {
    ensure(w.rank == 3 && dy.rank == 4 && dy.shape[2] == w.shape[0] && dy.shape[3] == w.shape[2],
           "headLinearBackward: gradient \(dy.shape) does not match weight \(w.shape)")
    return headLinear(dy, w.transposed(-2, -1))
}

/// A per-head projection `y[b, p, h] = x[b, p, h] · W[h]` for `x [batch, pos, heads, k]` and `W [heads, k, n]`
/// (any dtype; each head's matrix read in place by `matmul(weight:)`). Returns Float32 `[batch, pos, heads, n]`.
func headLinear(_ x: Tensor, _ w: Tensor) -> Tensor {
    ensure(w.rank == 3 && x.rank == 4 && x.shape[2] == w.shape[0] && x.shape[3] == w.shape[1],
           "headLinear: input \(x.shape) does not match weight \(w.shape)")
    let heads = w.shape[0]
    return Tensor.stack((0..<heads).map { h in x[.all, .all, h].matmul(weight: w[h]) }, axis: 2)
}
