/// Dtype conversions that keep a view's memory layout (weights are often transposed or head-permuted views of
/// a checkpoint's row-major tensors: converting them in logical order would be a slow transposing copy).
extension Tensor {
    /// Whether the elements fill `count` consecutive storage slots from `offset`, in some axis order: the
    /// strides (of the axes longer than one) are a permutation of a contiguous layout's. True for contiguous
    /// tensors, transposes and permutations of them.
    public var isDense: Bool {
        let axes = (0..<rank).filter { shape[$0] > 1 }.sorted { strides[$0] < strides[$1] }
        var expected = 1
        for axis in axes {
            guard strides[axis] == expected else { return false }
            expected *= shape[axis]
        }
        return true
    }

    /// The tensor with element type `dtype`, laid out like `self` when it is dense (the covered span is
    /// converted in one vectorised, parallel pass and the same strides index the result), else contiguous.
    /// Widening is exact; narrowing rounds to nearest even. A no-op when the dtype already matches.
    public func convertedKeepingLayout(to dtype: DType) -> Tensor {
        if self.dtype == dtype { return self }
        guard isDense, count > 1 else { return converted(to: dtype) }
        return Tensor(storage: Tensor.convertedSpan(storage, offset: offset, count: count, to: dtype),
                      shape: shape, strides: strides, offset: 0)
    }

    /// Drops the memory pages this view covers when it is a view of a read-only memory-mapped file (a checkpoint
    /// tensor whose converted or processed copy replaces it): its contents are unchanged and are read from the
    /// file again if used, but they stop counting against the process's memory. No-op for any other tensor.
    public func releaseMappedPages() {
        guard count > 0, strides.allSatisfy({ $0 >= 0 }) else { return }
        let last = offset + zip(shape, strides).map { ($0 - 1) * $1 }.reduce(0, +)
        storage.releaseMappedPages(elements: offset..<(last + 1))
    }

    /// `tensors` converted to `dtype` with `convertedKeepingLayout`, where dense views of the same elements
    /// (a tied embedding `W_E` and its transpose `W_U`) share one converted buffer: each span is converted once.
    /// Pages of a mapped file each converted tensor was read from are released once it is converted
    /// (`releaseMappedPages`), so widening a checkpoint holds its converted copy, not the file too.
    /// `done` is called with each tensor after it is converted (for progress reports).
    public static func convertedSharingSpans(_ tensors: [Tensor], to dtype: DType,
                                             done: (Tensor) -> Void = { _ in }) -> [Tensor] {
        struct Span: Hashable { let storage: ObjectIdentifier, offset: Int, count: Int }
        var converted: [Span: TensorStorage] = [:]
        return tensors.map { t in
            defer { done(t) }
            guard t.dtype != dtype else { return t }
            defer { t.releaseMappedPages() }
            guard t.isDense, t.count > 1 else { return t.convertedKeepingLayout(to: dtype) }
            let span = Span(storage: ObjectIdentifier(t.storage), offset: t.offset, count: t.count)
            let storage = converted[span] ?? convertedSpan(t.storage, offset: t.offset, count: t.count, to: dtype)
            converted[span] = storage
            return Tensor(storage: storage, shape: t.shape, strides: t.strides, offset: 0)
        }
    }

    /// `count` elements of `storage` from `offset`, converted to a new contiguous buffer of `dtype`.
    private static func convertedSpan(_ storage: TensorStorage, offset: Int, count: Int, to dtype: DType) -> TensorStorage {
        var out = Tensor(uninitialized: [count], dtype: dtype)
        out.copyElements(from: Tensor(storage: storage, shape: [count], strides: [1], offset: offset))
        return out.storage
    }
}

extension Tensor {
    /// Matrices `[k, nᵢ]` that are adjacent column blocks of one buffer (same storage, dtype and strides, block
    /// `i + 1` starting where block `i` ends), as one `[k, Σ nᵢ]` view; nil when they are not.
    public static func adjacentColumnsView(_ parts: [Tensor]) -> Tensor? {
        guard let first = parts.first, first.rank == 2 else { return nil }
        var end = first.offset + first.shape[1] * first.strides[1]
        for part in parts.dropFirst() {
            guard part.storage === first.storage, part.rank == 2, part.shape[0] == first.shape[0],
                  part.strides == first.strides, part.offset == end else { return nil }
            end += part.shape[1] * part.strides[1]
        }
        return Tensor(storage: first.storage, shape: [first.shape[0], parts.map { $0.shape[1] }.reduce(0, +)],
                      strides: first.strides, offset: first.offset)
    }
}
