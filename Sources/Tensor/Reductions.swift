/// Reductions along any set of axes with NumPy / PyTorch semantics.
///
/// `axes == nil` reduces every axis; negative axes count from the end; `keepDims` keeps each
/// reduced axis with extent 1. Results are contiguous Float32 (integer inputs are converted).
/// An axis out of range or listed twice is a programmer error and traps naming the op and shape.
extension Tensor {
    /// `Σ x` over `axes`; the sum of no elements is 0.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        fold(SumFold.self, axes: axes, keepDims: keepDims, op: "sum")
    }

    /// `Σ x` over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        sum(axes: [axis], keepDims: keepDims)
    }

    /// `Σ x / n` over `axes` (`n` reduced elements); the mean of no elements is NaN.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        sum(axes: axes, keepDims: keepDims) / Float(reducedCount(axes, op: "mean"))
    }

    /// `Σ x / n` over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        mean(axes: [axis], keepDims: keepDims)
    }

    /// `Π x` over `axes`; the product of no elements is 1.
    public func prod(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        fold(ProductFold.self, axes: axes, keepDims: keepDims, op: "prod")
    }

    /// `Π x` over one axis.
    public func prod(axis: Int, keepDims: Bool = false) -> Tensor {
        prod(axes: [axis], keepDims: keepDims)
    }

    /// `max x` over `axes`; NaN if any reduced element is NaN. Traps on an empty reduction.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        fold(MaxFold.self, axes: axes, keepDims: keepDims, op: "max")
    }

    /// `max x` over one axis.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        max(axes: [axis], keepDims: keepDims)
    }

    /// `min x` over `axes`; NaN if any reduced element is NaN. Traps on an empty reduction.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        fold(MinFold.self, axes: axes, keepDims: keepDims, op: "min")
    }

    /// `min x` over one axis.
    public func min(axis: Int, keepDims: Bool = false) -> Tensor {
        min(axes: [axis], keepDims: keepDims)
    }
}

extension Tensor {
    /// Normalised, sorted reduction axes (every axis when nil); traps on a bad or repeated axis.
    func reductionAxes(_ axes: [Int]?, op: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        let normalized = axes.map { Shape.axis($0, rank: rank, op: op) }
        ensure(Set(normalized).count == normalized.count,
                     "\(op): repeated axis in \(axes) for a tensor of shape \(shape)")
        return normalized.sorted()
    }

    /// Number of elements folded into each output element.
    func reducedCount(_ axes: [Int]?, op: String) -> Int {
        reductionAxes(axes, op: op).reduce(1) { $0 * shape[$1] }
    }

    /// The result shape: reduced axes dropped, or kept with extent 1.
    func reducedShape(_ reduce: [Int], keepDims: Bool) -> [Int] {
        let set = Set(reduce)
        return shape.indices.compactMap { set.contains($0) ? (keepDims ? 1 : nil) : shape[$0] }
    }

    /// The axis order in which this view's non-unit axes are densely packed row-major
    /// (unit axes first), or nil when the elements have gaps, overlap or negative steps.
    func denseOrder() -> [Int]? {
        let big = shape.indices.filter { shape[$0] > 1 }.sorted { strides[$0] > strides[$1] }
        var expected = 1
        for axis in big.reversed() {
            guard strides[axis] == expected else { return nil }
            expected *= shape[axis]
        }
        return shape.indices.filter { shape[$0] <= 1 } + big
    }

    /// Folds `Op` over `axes`, reading the elements in memory order when the view is dense
    /// (a transposed tensor is not copied) and from a contiguous Float32 copy otherwise.
    func fold<Op: FoldOp>(_: Op.Type, axes: [Int]?, keepDims: Bool, op: String) -> Tensor {
        let reduce = reductionAxes(axes, op: op)
        let outShape = reducedShape(reduce, keepDims: keepDims)
        if count == 0 {
            if outShape.contains(0) { return Tensor(zeros: outShape) }
            guard let identity = Op.identity else {
                programmerError("\(op): empty reduction over axes \(reduce) of a tensor of shape \(shape)")
            }
            return .full(outShape, identity)
        }
        if reduce.allSatisfy({ shape[$0] == 1 }) { return float32Storage().reshaped(outShape) }
        let dense = dtype == .float32 ? denseOrder() : nil
        let base = dense == nil ? copied(as: .float32) : self
        let order = dense ?? Array(0..<rank)
        let reduceSet = Set(reduce)
        let flat = withExtendedLifetime(base) {
            Tensor.foldDense(Op.self, base.storage.floats + base.offset,
                             extents: order.map { shape[$0] }, reduced: order.map { reduceSet.contains($0) })
        }
        let keptInMemory = order.filter { !reduceSet.contains($0) }
        let kept = keptInMemory.sorted()
        if keptInMemory == kept { return flat.reshaped(outShape) }
        let back = kept.map { keptInMemory.firstIndex(of: $0)! }
        return flat.reshaped(keptInMemory.map { shape[$0] }).permuted(back).contiguous().reshaped(outShape)
    }

    /// Folds the reduced axes of a dense row-major buffer with the given axis extents, pass by
    /// pass: a reduced innermost run is folded row by row (`foldRows`); a reduced run followed by
    /// a kept run is folded by accumulating whole rows of the kept run (`foldColumns`).
    /// Returns the kept elements, contiguous, in memory order.
    static func foldDense<Op: FoldOp>(
        _ op: Op.Type, _ data: UnsafePointer<Float>, extents: [Int], reduced: [Bool]
    ) -> Tensor {
        var runs: [(extent: Int, reduced: Bool)] = []
        for (extent, isReduced) in zip(extents, reduced) where extent != 1 {
            if let last = runs.last, last.reduced == isReduced {
                runs[runs.count - 1].extent *= extent
            } else {
                runs.append((extent, isReduced))
            }
        }
        var current: Tensor?
        while let last = runs.last, runs.contains(where: { $0.reduced }) {
            let src = current.map { UnsafePointer($0.floatPointer) } ?? data
            let out: Tensor
            if last.reduced {
                let rows = runs.dropLast().reduce(1) { $0 * $1.extent }
                out = Tensor(zeros: [rows])
                ReductionKernels.foldRows(op, src, rows: rows, length: last.extent, out.floatPointer)
                runs.removeLast()
            } else {
                let r = runs[runs.count - 2].extent
                let outer = runs.dropLast(2).reduce(1) { $0 * $1.extent }
                out = Tensor(zeros: [outer * last.extent])
                ReductionKernels.foldColumns(op, src, outer: outer, reduced: r, inner: last.extent, out.floatPointer)
                runs.remove(at: runs.count - 2)
                if runs.count >= 2 && !runs[runs.count - 2].reduced {
                    runs[runs.count - 2].extent *= last.extent
                    runs.removeLast()
                }
            }
            withExtendedLifetime(current) {}
            current = out
        }
        return current!
    }
}
