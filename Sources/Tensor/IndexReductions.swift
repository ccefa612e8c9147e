import Kernels

/// Positions of extremes (`argmax`, `argmin`) as Int64 tensors, with NumPy semantics:
/// the first occurrence wins ties, and the first NaN wins over every number.
extension Tensor {
    /// Index of the largest element along `axis` (of the flattened tensor when nil).
    /// Traps when the axis is empty.
    public func argmax(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtreme(MaxFold.self, axis: axis, keepDims: keepDims, op: "argmax")
    }

    /// Index of the smallest element along `axis` (of the flattened tensor when nil).
    /// Traps when the axis is empty.
    public func argmin(axis: Int? = nil, keepDims: Bool = false) -> Tensor {
        argExtreme(MinFold.self, axis: axis, keepDims: keepDims, op: "argmin")
    }

    /// The tensor with `axis` moved to the end as contiguous Float32 rows, and the remaining shape.
    func rowsAlong(_ axis: Int) -> (rows: Tensor, outer: [Int]) {
        var order = Array(0..<rank)
        order.remove(at: axis)
        let outer = order.map { shape[$0] }
        return (permuted(order + [axis]).float32Contiguous(), outer)
    }

    private func argExtreme<Op: FoldOp>(_ op: Op.Type, axis: Int?, keepDims: Bool, op name: String) -> Tensor {
        let rows: Tensor, outShape: [Int]
        if let axis {
            let a = Shape.axis(axis, rank: rank, op: name)
            rows = rowsAlong(a).rows
            outShape = reducedShape([a], keepDims: keepDims)
        } else {
            rows = float32Contiguous()
            outShape = keepDims ? [Int](repeating: 1, count: rank) : []
        }
        let n = axis.map { shape[Shape.axis($0, rank: rank, op: name)] } ?? count
        let out = Tensor(zeros: outShape, dtype: .int64)
        let m = out.count
        if m == 0 { return out }
        precondition(n > 0, "\(name): empty axis in a tensor of shape \(shape)")
        let src = UnsafePointer(rows.floatPointer)
        let dst = out.storage.base.assumingMemoryBound(to: Int64.self)
        Parallel.forChunks(m, costPerElement: n) { start, end in
            for r in start..<end { dst[r] = Int64(Tensor.firstExtreme(op, src + r * n, n)) }
        }
        return out
    }

    /// Index of the first element equal to the row's fold (or of the first NaN when it is NaN).
    static func firstExtreme<Op: FoldOp>(_ op: Op.Type, _ p: UnsafePointer<Float>, _ n: Int) -> Int {
        let best = ReductionKernels.foldRow(op, p, n)
        var i = 0
        while i < n - 1 && p[i] != best && !(best.isNaN && p[i].isNaN) { i += 1 }
        return i
    }
}
