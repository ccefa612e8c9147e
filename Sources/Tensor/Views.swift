/// Layout-only operations: they return views that share storage whenever strides allow.
extension Tensor {
    /// The tensor with a new shape of the same element count; one extent may be -1.
    /// A view when the strides allow, otherwise a contiguous copy. Traps on a bad shape.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        do { return try reshaped(to: newShape) } catch { programmerError("\(error)") }
    }

    /// Throwing `reshaped` for shapes computed at run time.
    public func reshaped(to newShape: [Int]) throws -> Tensor {
        let target = try resolve(newShape)
        if let viewStrides = Tensor.viewStrides(from: shape, strides, to: target) {
            return Tensor(storage: storage, shape: target, strides: viewStrides, offset: offset)
        }
        let c = contiguous()
        return Tensor(storage: c.storage, shape: target, strides: Shape.contiguousStrides(target), offset: c.offset)
    }

    private func resolve(_ newShape: [Int]) throws -> [Int] {
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        let known = newShape.filter { $0 != -1 }
        let bad = TensorError.shapeMismatch(op: "reshape", shapes: [shape, newShape])
        guard unknown.count <= 1, known.allSatisfy({ $0 >= 0 }) else { throw bad }
        let product = known.reduce(1, *)
        var out = newShape
        if let u = unknown.first {
            guard product > 0, count % product == 0 else { throw bad }
            out[u] = count / product
        } else if product != count {
            throw bad
        }
        return out
    }

    /// Strides that show the same elements under `target`, or nil when a copy is needed
    /// (PyTorch's `computeStride`: each run of old axes that is contiguous in memory
    /// must be split exactly by a run of new axes).
    static func viewStrides(from oldShape: [Int], _ oldStrides: [Int], to target: [Int]) -> [Int]? {
        if oldShape.contains(0) || target.isEmpty && oldShape.reduce(1, *) == 1 {
            return Shape.contiguousStrides(target)
        }
        let shape = oldShape.isEmpty ? [1] : oldShape
        let strides = oldStrides.isEmpty ? [1] : oldStrides
        var out = [Int](repeating: 0, count: target.count)
        var viewAxis = target.count - 1
        var chunkStride = strides[strides.count - 1]
        var tensorCount = 1, viewCount = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            tensorCount *= shape[axis]
            if axis == 0 || (shape[axis - 1] != 1 && strides[axis - 1] != tensorCount * chunkStride) {
                while viewAxis >= 0 && (viewCount < tensorCount || target[viewAxis] == 1) {
                    out[viewAxis] = viewCount * chunkStride
                    viewCount *= target[viewAxis]
                    viewAxis -= 1
                }
                if viewCount != tensorCount { return nil }
                if axis > 0 {
                    chunkStride = strides[axis - 1]
                    tensorCount = 1
                    viewCount = 1
                }
            }
        }
        return viewAxis == -1 ? out : nil
    }

    /// Reorders the axes: result axis i is input axis `order[i]`.
    public func permuted(_ order: [Int]) -> Tensor {
        let axes = order.map { Shape.axis($0, rank: rank, op: "permute") }
        ensure(Set(axes).count == rank && axes.count == rank,
                     "permute: order \(order) is not a permutation of \(rank) axes")
        return Tensor(storage: storage, shape: axes.map { shape[$0] }, strides: axes.map { strides[$0] }, offset: offset)
    }

    /// Swaps two axes (default: the last two), as PyTorch's `transpose`.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(Shape.axis(a, rank: rank, op: "transpose"), Shape.axis(b, rank: rank, op: "transpose"))
        return permuted(order)
    }

    /// The transpose of a matrix (reversed axes for any rank), like NumPy's `.T`.
    public var T: Tensor { permuted(Array((0..<rank).reversed())) }

    /// A broadcast view with `newShape` (size-1 or missing leading axes repeat with stride 0).
    public func expanded(to newShape: [Int]) -> Tensor {
        do { return try broadcast(to: newShape) } catch { programmerError("\(error)") }
    }

    /// Throwing broadcast view; -1 keeps an axis.
    public func broadcast(to newShape: [Int]) throws -> Tensor {
        guard newShape.count >= rank else {
            throw TensorError.shapeMismatch(op: "expand", shapes: [shape, newShape])
        }
        let lead = newShape.count - rank
        var outShape = newShape
        var outStrides = [Int](repeating: 0, count: newShape.count)
        for i in 0..<rank {
            let target = newShape[lead + i] == -1 ? shape[i] : newShape[lead + i]
            outShape[lead + i] = target
            if shape[i] == target {
                outStrides[lead + i] = strides[i]
            } else if shape[i] != 1 {
                throw TensorError.shapeMismatch(op: "expand", shapes: [shape, newShape])
            }
        }
        return Tensor(storage: storage, shape: outShape, strides: outStrides, offset: offset)
    }

    /// Removes size-1 axes (all of them, or only `axes`).
    public func squeezed(_ axes: [Int]? = nil) -> Tensor {
        let drop = Set(axes.map { $0.map { Shape.axis($0, rank: rank, op: "squeeze") } }
                       ?? shape.indices.filter { shape[$0] == 1 })
        for a in drop { ensure(shape[a] == 1, "squeeze: axis \(a) of shape \(shape) is not 1") }
        let keep = shape.indices.filter { !drop.contains($0) }
        return Tensor(storage: storage, shape: keep.map { shape[$0] }, strides: keep.map { strides[$0] }, offset: offset)
    }

    /// Inserts a size-1 axis at `axis` (in `-(rank+1)...rank`).
    public func unsqueezed(_ axis: Int) -> Tensor {
        let a = Shape.axis(axis, rank: rank + 1, op: "unsqueeze")
        var s = shape, st = strides
        s.insert(1, at: a)
        st.insert(a < rank ? strides[a] * shape[a] : 1, at: a)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset)
    }

    /// Collapses axes `start...end` into one.
    public func flattened(from start: Int = 0, to end: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let s = Shape.axis(start, rank: rank, op: "flatten"), e = Shape.axis(end, rank: rank, op: "flatten")
        let merged = shape[s...e].reduce(1, *)
        return reshaped(Array(shape[..<s]) + [merged] + Array(shape[(e + 1)...]))
    }
}
