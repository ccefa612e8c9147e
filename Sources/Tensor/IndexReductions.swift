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

    /// Scans a contiguous `[outer, n, inner]` view: rows when `inner == 1`, else whole rows of
    /// `inner` columns at a time, tracking each column's extreme and its first position.
    private func argExtreme<Op: ExtremeFold>(_ op: Op.Type, axis: Int?, keepDims: Bool, op name: String) -> Tensor {
        let a = axis.map { Shape.axis($0, rank: rank, op: name) }
        let outShape = a.map { reducedShape([$0], keepDims: keepDims) }
            ?? (keepDims ? [Int](repeating: 1, count: rank) : [])
        let n = a.map { shape[$0] } ?? count
        let inner = a.map { shape[($0 + 1)...].reduce(1, *) } ?? 1
        let out = Tensor(zeros: outShape, dtype: .int64)
        let m = out.count
        if m == 0 { return out }
        ensure(n > 0, "\(name): empty axis in a tensor of shape \(shape)")
        ensure(n <= Int(Int32.max), "\(name): axis of \(n) elements is too long")
        let x = float32Contiguous()
        let src = UnsafePointer(x.floatPointer)
        let dst = out.storage.base.assumingMemoryBound(to: Int64.self)
        if inner == 1 {
            Parallel.forChunks(m, costPerElement: n) { start, end in
                for r in start..<end { dst[r] = Int64(Tensor.firstExtreme(op, src + r * n, n)) }
            }
            return out
        }
        let outer = m / inner, width = ReductionKernels.tileWidth
        let tiles = (inner + width - 1) / width
        Parallel.forChunks(outer * tiles, costPerElement: n * Swift.min(inner, width)) { start, end in
            var best = [Float](repeating: 0, count: width), at = [Int32](repeating: 0, count: width)
            for item in start..<end {
                let o = item / tiles, c0 = (item % tiles) * width
                let w = Swift.min(width, inner - c0)
                best.withUnsafeMutableBufferPointer { b in
                    at.withUnsafeMutableBufferPointer { i in
                        Tensor.columnExtremes(op, src + o * n * inner + c0, n: n, inner: inner, width: w,
                                              b.baseAddress!, i.baseAddress!)
                    }
                }
                for j in 0..<w { dst[o * inner + c0 + j] = Int64(at[j]) }
            }
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

    /// For columns `c < width` of rows `p[r * inner + c]`, `r < n`: `best[c]` is the extreme and
    /// `at[c]` its first row; a row replaces them where `Op.replaces(value, best)`.
    static func columnExtremes<Op: ExtremeFold>(
        _: Op.Type, _ p: UnsafePointer<Float>, n: Int, inner: Int, width: Int,
        _ best: UnsafeMutablePointer<Float>, _ at: UnsafeMutablePointer<Int32>
    ) {
        best.update(from: p, count: width)
        at.update(repeating: 0, count: width)
        for r in 1..<n {
            let row = p + r * inner, index = SIMD16<Int32>(repeating: Int32(r))
            var c = 0
            while c + 16 <= width {
                let v = ReductionKernels.load(row + c), b = ReductionKernels.load(best + c)
                let mask = Op.replaces(v, b)
                UnsafeMutableRawPointer(best + c).storeBytes(of: b.replacing(with: v, where: mask), as: SIMD16<Float>.self)
                let i = UnsafeRawPointer(at + c).loadUnaligned(as: SIMD16<Int32>.self)
                UnsafeMutableRawPointer(at + c).storeBytes(of: i.replacing(with: index, where: mask), as: SIMD16<Int32>.self)
                c += 16
            }
            while c < width {
                if Op.replaces(row[c], best[c]) {
                    best[c] = row[c]
                    at[c] = Int32(r)
                }
                c += 1
            }
        }
    }
}
