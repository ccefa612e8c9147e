import Kernels

/// Softmax, log-softmax and logsumexp along one axis, following PyTorch (`torch.softmax`,
/// `torch.log_softmax`, `torch.logsumexp`) including its NaN/inf rules. Results are contiguous Float32.
extension Tensor {
    /// `e^{x − m} / Σ e^{x − m}` along `axis` (m the max along it). Same shape as `self`.
    public func softmax(axis: Int = -1) -> Tensor {
        alongAxis(axis, op: "softmax", keepsAxis: true) { Softmax.softmax($0, $1, rows: $2, cols: $3) }
    }

    /// `(x − m) − log Σ e^{x − m}` along `axis`. Same shape as `self`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        alongAxis(axis, op: "logSoftmax", keepsAxis: true) { Softmax.logSoftmax($0, $1, rows: $2, cols: $3) }
    }

    /// `log Σ e^x` along `axis`, computed as `s + log Σ e^{x − s}` with `s` the max (0 when it is ±inf).
    /// Shape of `self` without `axis`, or with it as 1 when `keepDims` (a rank-0 input gives rank 0).
    public func logsumexp(axis: Int, keepDims: Bool = false) -> Tensor {
        let reduced = alongAxis(axis, op: "logsumexp", keepsAxis: false) {
            Softmax.logsumexp($0, $1, rows: $2, cols: $3)
        }
        guard keepDims && rank > 0 else { return reduced }
        return reduced.unsqueezed(Shape.axis(axis, rank: rank, op: "logsumexp"))
    }

    /// Runs a row kernel `(x, out, rows, cols)` along `axis`: the axis is moved last (copying when the
    /// layout needs it), the kernel sees contiguous rows, and the result is laid out in `self`'s axis order.
    /// With `keepsAxis` the output has `self`'s shape; otherwise the axis is dropped (one value per row).
    func alongAxis(
        _ axis: Int, op: String, keepsAxis: Bool,
        _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) -> Tensor {
        if rank == 0 {
            _ = Shape.axis(axis, rank: 1, op: op)
            let one = reshaped([1]).alongAxis(0, op: op, keepsAxis: keepsAxis, kernel)
            return one.reshaped([])
        }
        let a = Shape.axis(axis, rank: rank, op: op)
        let order = (0..<rank).filter { $0 != a } + [a]
        let moved = a == rank - 1 ? self : permuted(order)
        let x = moved.float32Contiguous()
        let cols = shape[a]
        let rows = moved.shape.dropLast().reduce(1, *)
        if !keepsAxis {
            let out = Tensor(uninitialized: Array(moved.shape.dropLast()))
            withExtendedLifetime(x) { kernel(x.floatPointer, out.floatPointer, rows, cols) }
            return out
        }
        // A fresh copy is ours to overwrite; a view of `self` gets a new buffer.
        let out = x.storage === storage ? Tensor(uninitialized: x.shape) : x
        withExtendedLifetime(x) { kernel(x.floatPointer, out.floatPointer, rows, cols) }
        if a == rank - 1 { return out }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return out.permuted(inverse).contiguous()
    }
}
