import Kernels

/// Selecting elements by index arrays. Indices are data: every one is checked and a bad one throws
/// `TensorError.indexOutOfRange` naming the index and the axis extent. Negative indices count from
/// the end. Results are contiguous and keep this tensor's dtype.
extension Tensor {
    /// `out[..., j, ...] = x[..., indices[j], ...]` along `axis`, like `torch.index_select`.
    public func indexSelect(_ indices: [Int], axis: Int) throws -> Tensor {
        let a = try Shape.normalize(axis: axis, rank: rank, op: "indexSelect")
        let resolved = try Tensor.resolve(indices, extent: shape[a], op: "indexSelect along axis \(a)")
        var outShape = shape
        outShape[a] = resolved.count
        let out = Tensor(zeros: outShape, dtype: dtype)
        if out.count == 0 { return out }
        if isContiguous {
            copyContiguousSlabs(resolved, axis: a, into: out)
        } else {
            for (j, i) in resolved.enumerated() {
                var dst = out.droppingAxis(a, at: j)
                dst.copyElements(from: droppingAxis(a, at: i))
            }
        }
        return out
    }

    /// `indexSelect` with an integer tensor of any shape, whose shape replaces `axis`
    /// (`numpy.take`): result shape `shape[..<axis] + indices.shape + shape[(axis+1)...]`.
    /// Throws `unsupportedDType` for floating-point indices.
    public func indexSelect(_ indices: Tensor, axis: Int) throws -> Tensor {
        guard indices.dtype.isInteger else {
            throw TensorError.unsupportedDType(op: "indexSelect indices", dtype: "\(indices.dtype)")
        }
        let a = try Shape.normalize(axis: axis, rank: rank, op: "indexSelect")
        let flat = try indexSelect(indices.intScalars, axis: a)
        return flat.reshaped(Array(shape[..<a]) + indices.shape + Array(shape[(a + 1)...]))
    }

    /// `torch.gather`: `out[i][j][k] = x[i][indices[i][j][k]][k]` for `axis = 1` (likewise for any
    /// axis). `indices` is an integer tensor of the same rank with `indices.shape[d] ≤ shape[d]` for
    /// `d ≠ axis`; the result has its shape. Throws `shapeMismatch`, `unsupportedDType`, `indexOutOfRange`.
    public func gather(_ indices: Tensor, axis: Int) throws -> Tensor {
        let a = try Shape.normalize(axis: axis, rank: rank, op: "gather")
        guard indices.dtype.isInteger else {
            throw TensorError.unsupportedDType(op: "gather indices", dtype: "\(indices.dtype)")
        }
        guard indices.rank == rank, (0..<rank).allSatisfy({ $0 == a || indices.shape[$0] <= shape[$0] }) else {
            throw TensorError.shapeMismatch(op: "gather along axis \(a)", shapes: [shape, indices.shape])
        }
        let resolved = try Tensor.resolve(indices.intScalars, extent: shape[a], op: "gather along axis \(a)")
        let out = Tensor(zeros: indices.shape, dtype: dtype)
        var sourceStrides = strides
        sourceStrides[a] = 0
        let step = strides[a], width = dtype.byteCount
        let src = UnsafeRawPointer(storage.base), dst = out.storage.base
        StridedRows.forEach(shape: indices.shape, strides: [out.strides, sourceStrides],
                            offsets: [0, offset]) { o, n, s in
            for e in 0..<n {
                let at = o[0] + e * s[0]
                Tensor.copyElement(width, from: src, o[1] + e * s[1] + resolved[at] * step, to: dst, at)
            }
        }
        return out
    }

    /// Indices in `0..<extent` (negative ones counted from the end), or the first bad one thrown.
    static func resolve(_ indices: [Int], extent: Int, op: String) throws -> [Int] {
        try indices.map { i in
            let j = i < 0 ? i + extent : i
            guard j >= 0 && j < extent else { throw TensorError.indexOutOfRange(op: op, index: i, extent: extent) }
            return j
        }
    }

    /// The view at position `i` of `axis`, with that axis removed.
    func droppingAxis(_ axis: Int, at i: Int) -> Tensor {
        var s = shape, st = strides
        s.remove(at: axis)
        st.remove(at: axis)
        return Tensor(storage: storage, shape: s, strides: st, offset: offset + i * strides[axis])
    }

    /// Copies whole `[inner]` slabs `x[o, indices[j], :]` of a contiguous tensor into `out[o, j, :]`.
    private func copyContiguousSlabs(_ indices: [Int], axis a: Int, into out: Tensor) {
        let width = dtype.byteCount
        let outer = shape[..<a].reduce(1, *), extent = shape[a]
        let slab = shape[(a + 1)...].reduce(1, *) * width
        let src = UnsafeRawPointer(storage.base) + offset * width, dst = out.storage.base
        let j = indices.count
        Parallel.forChunks(outer * j, costPerElement: Swift.max(1, slab / 16)) { start, end in
            for item in start..<end {
                let o = item / j
                (dst + item * slab).copyMemory(from: src + (o * extent + indices[item % j]) * slab, byteCount: slab)
            }
        }
    }

    /// Copies one element of `width` bytes between element offsets of two buffers.
    @inline(__always)
    static func copyElement(_ width: Int, from src: UnsafeRawPointer, _ i: Int, to dst: UnsafeMutableRawPointer, _ o: Int) {
        switch width {
        case 2: dst.storeBytes(of: src.load(fromByteOffset: i * 2, as: UInt16.self), toByteOffset: o * 2, as: UInt16.self)
        case 4: dst.storeBytes(of: src.load(fromByteOffset: i * 4, as: UInt32.self), toByteOffset: o * 4, as: UInt32.self)
        default: dst.storeBytes(of: src.load(fromByteOffset: i * 8, as: UInt64.self), toByteOffset: o * 8, as: UInt64.self)
        }
    }
}
