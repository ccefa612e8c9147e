import Kernels

/// Products with weights kept in the dtype a checkpoint stores them in.
extension Tensor {
    /// `self · w + bias` for `self [..., k]` (read as Float32), a weight `w [k, n]` of dtype float32, float16
    /// or bfloat16, and an optional `bias [n]`; returns contiguous Float32 `[..., n]`. The weight is used in
    /// place when it is row-major (`strides [ld, 1]`) or the transposed view of row-major `[n, k]` rows
    /// (`strides [1, ld]`, `nn.Linear`'s layout); any other layout is first copied, in its dtype.
    /// Up to `WeightProduct.gemvRows` rows (decode steps) run through `WeightProduct.gemv`, which reads each
    /// weight once and never repacks it; more rows run through sgemm (`WeightProduct.gemm`), 16-bit weights
    /// widened `WeightProduct.blockColumns` columns at a time into a pooled buffer. Either way the result is
    /// Float32 arithmetic on the exactly widened weights: `self.matmul(w.converted(to: .float32)) + bias`
    /// up to Float32 rounding of the sums. Traps naming both shapes when `k` differs.
    public func matmul(weight w: Tensor, bias: Tensor? = nil) -> Tensor {
        ensure(w.rank == 2 && rank >= 1 && shape[rank - 1] == w.shape[0] && !w.dtype.isInteger,
               "matmul(weight:): input \(shape) does not match weight \(w.shape) of dtype \(w.dtype)")
        let k = w.shape[0], n = w.shape[1]
        let m = shape.dropLast().reduce(1, *)
        let x = reshaped([m, k]).float32Contiguous()
        let out = Tensor(uninitialized: Array(shape.dropLast()) + [n])
        if m == 0 || n == 0 { return out }
        let y = out.floatPointer
        if let bias {
            ensure(bias.shape == [n], "matmul(weight:): bias \(bias.shape) for \(n) outputs")
            let b = bias.float32Contiguous()
            for i in 0..<m { (y + i * n).update(from: b.floatPointer, count: n) }
        }
        let (stored, matrix) = w.weightMatrix()
        withExtendedLifetime(stored) {
            if m <= WeightProduct.gemvRows {
                WeightProduct.gemv(x.floatPointer, ldx: k, rows: m, weight: matrix, y, ldy: n, accumulate: bias != nil)
            } else {
                let scratch = Tensor(uninitialized: [WeightProduct.scratchCount(for: matrix)])
                WeightProduct.gemm(x.floatPointer, ldx: k, rows: m, weight: matrix, y, ldy: n,
                                   accumulate: bias != nil, scratch: scratch.floatPointer)
            }
        }
        return out
    }

    /// This `[k, n]` float tensor as a `WeightMatrix` over its own storage, or over a contiguous copy (returned
    /// first, to keep alive) when neither of its strides is 1.
    func weightMatrix() -> (Tensor, WeightMatrix) {
        let k = shape[0], n = shape[1]
        let element: WeightMatrix.Element
        switch dtype {
        case .float16: element = .float16
        case .bfloat16: element = .bfloat16
        default: element = .float32
        }
        var w = self
        var transposed = false, ld = Swift.max(n, 1)
        if (w.strides[1] == 1 || n == 1) && (w.strides[0] >= n || k == 1) {
            ld = Swift.max(w.strides[0], n, 1)
        } else if (w.strides[0] == 1 || k == 1) && (w.strides[1] >= k || n == 1) {
            transposed = true
            ld = Swift.max(w.strides[1], k, 1)
        } else {
            w = w.contiguous()
        }
        let base = UnsafeRawPointer(w.storage.base + w.offset * w.dtype.byteCount)
        return (w, WeightMatrix(base: base, element: element, k: k, n: n, ld: ld, transposed: transposed))
    }
}
