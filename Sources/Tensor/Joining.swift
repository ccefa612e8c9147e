/// Joining tensors along an axis, splitting one into views, and tiling.
///
/// Joined results are contiguous and keep the common dtype of the inputs (mixed integer types
/// give Int64, any other mix gives Float32). The trapping forms are for shapes fixed in code;
/// the throwing forms (`concatenated`, `stacked`) are for shapes that come from data.
extension Tensor {
    /// Joins `tensors` along an existing `axis`; every other extent must agree. Traps naming the shapes.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        do { return try concatenated(tensors, axis: axis) } catch { programmerError("\(error)") }
    }

    /// Throwing `concat`: `TensorError.shapeMismatch` (naming every shape) when ranks or the
    /// extents off `axis` differ, `invalidAxis` for a bad axis, `invalidSpec` for an empty list
    /// or rank-0 inputs.
    public static func concatenated(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        let shapes = tensors.map(\.shape)
        guard let first = tensors.first else {
            throw TensorError.invalidSpec(op: "concat", spec: "[]", reason: "no tensors to join")
        }
        guard first.rank > 0 else {
            throw TensorError.invalidSpec(op: "concat", spec: "\(shapes)", reason: "rank-0 tensors have no axis to join")
        }
        let a = try Shape.normalize(axis: axis, rank: first.rank, op: "concat")
        for t in tensors {
            let sameRank = t.rank == first.rank
            guard sameRank, t.shape.indices.allSatisfy({ $0 == a || t.shape[$0] == first.shape[$0] }) else {
                throw TensorError.shapeMismatch(op: "concat along axis \(a)", shapes: shapes)
            }
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let out = Tensor(zeros: outShape, dtype: commonDType(tensors.map(\.dtype)))
        var start = 0
        for t in tensors {
            var slot = Tensor(storage: out.storage, shape: t.shape, strides: out.strides,
                              offset: start * out.strides[a])
            slot.copyElements(from: t)
            start += t.shape[a]
        }
        return out
    }

    /// Joins equally shaped `tensors` along a new `axis` (in `-(rank+1)...rank`). Traps naming the shapes.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        do { return try stacked(tensors, axis: axis) } catch { programmerError("\(error)") }
    }

    /// Throwing `stack`: `TensorError.shapeMismatch` when shapes differ, `invalidSpec` for an empty list.
    public static func stacked(_ tensors: [Tensor], axis: Int = 0) throws -> Tensor {
        guard let first = tensors.first else {
            throw TensorError.invalidSpec(op: "stack", spec: "[]", reason: "no tensors to join")
        }
        guard tensors.allSatisfy({ $0.shape == first.shape }) else {
            throw TensorError.shapeMismatch(op: "stack", shapes: tensors.map(\.shape))
        }
        let a = try Shape.normalize(axis: axis, rank: first.rank + 1, op: "stack")
        return try concatenated(tensors.map { $0.unsqueezed(a) }, axis: a)
    }

    /// The dtype of a join: the shared one, Int64 for mixed integers, Float32 otherwise.
    static func commonDType(_ dtypes: [DType]) -> DType {
        guard let first = dtypes.first, !dtypes.allSatisfy({ $0 == first }) else { return dtypes.first ?? .float32 }
        return dtypes.allSatisfy(\.isInteger) ? .int64 : .float32
    }

    /// Views of consecutive pieces of `sizes[i]` elements along `axis` (like `torch.split` with a list).
    /// Traps unless the sizes are non-negative and add up to the axis extent.
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let a = Shape.axis(axis, rank: rank, op: "split")
        ensure(sizes.allSatisfy { $0 >= 0 } && sizes.reduce(0, +) == shape[a],
                     "split: sizes \(sizes) do not add up to axis \(axis) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            var s = shape
            s[a] = size
            defer { start += size }
            return Tensor(storage: storage, shape: s, strides: strides, offset: offset + start * strides[a])
        }
    }

    /// Views of `n` nearly equal pieces along `axis`, like `torch.chunk`: each piece has
    /// `⌈extent / n⌉` elements except a shorter last one, so fewer than `n` pieces may return.
    public func chunked(_ n: Int, axis: Int = 0) -> [Tensor] {
        ensure(n > 0, "chunk: number of chunks \(n) must be positive")
        let a = Shape.axis(axis, rank: rank, op: "chunk")
        let extent = shape[a]
        let size = Swift.max(1, (extent + n - 1) / n)
        let sizes = stride(from: 0, to: extent, by: size).map { Swift.min(size, extent - $0) }
        return split(sizes: extent == 0 ? [0] : sizes, axis: a)
    }

    /// The tensor tiled `counts[i]` times along each axis, like `torch.Tensor.repeat` / `numpy.tile`
    /// with `counts.count ≥ rank` (missing leading axes count as 1). Result shape: `counts[i] · shape[i]`.
    public func repeated(_ counts: [Int]) -> Tensor {
        ensure(counts.count >= rank && counts.allSatisfy { $0 >= 0 },
                     "repeat: counts \(counts) do not cover shape \(shape)")
        let padded = [Int](repeating: 1, count: counts.count - rank) + shape
        let interleaved = zip(counts, padded).flatMap { [1, $1] }
        let expandedShape = zip(counts, padded).flatMap { [$0, $1] }
        return reshaped(interleaved).expanded(to: expandedShape).contiguous()
            .reshaped(zip(counts, padded).map { $0 * $1 })
    }
}
