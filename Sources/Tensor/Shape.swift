/// Shape arithmetic shared by every op: strides, broadcasting, axis normalisation.
public enum Shape {
    /// Row-major strides of a contiguous tensor of `shape`.
    public static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = s
            s *= max(shape[axis], 1)
        }
        return strides
    }

    /// NumPy broadcast of two shapes, or nil when an axis pair is neither equal nor 1.
    public static func broadcast(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if x == y || y == 1 { out[i] = x } else if x == 1 { out[i] = y } else { return nil }
        }
        return out
    }

    /// `axis` in `0..<rank`, accepting negative axes counted from the end.
    public static func normalize(axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else { throw TensorError.invalidAxis(op: op, axis: axis, rank: rank) }
        return a
    }

    /// Trapping variant of `normalize` for axes written in code.
    static func axis(_ axis: Int, rank: Int, op: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        ensure(a >= 0 && a < rank, "\(op): axis \(axis) is out of range for rank \(rank)")
        return a
    }
}

/// Row-by-row traversal of several strided operands that share one shape.
enum StridedRows {
    /// Merges adjacent axes that are laid out contiguously in every operand and drops
    /// size-1 axes, so the innermost loop is as long as possible.
    static func coalesce(_ shape: [Int], _ strides: [[Int]]) -> (shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides = [[Int]](repeating: [], count: strides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = outShape.last,
               (0..<strides.count).allSatisfy({ outStrides[$0].last! == strides[$0][axis] * shape[axis] }) {
                outShape[outShape.count - 1] = last * shape[axis]
                for k in 0..<strides.count { outStrides[k][outStrides[k].count - 1] = strides[k][axis] }
            } else {
                outShape.append(shape[axis])
                for k in 0..<strides.count { outStrides[k].append(strides[k][axis]) }
            }
        }
        return (outShape, outStrides)
    }

    /// Calls `body(offsets, innerCount, innerStrides)` once per innermost row, where
    /// `offsets[k]` is operand k's element offset of the row start.
    static func forEach(
        shape: [Int], strides: [[Int]], offsets: [Int],
        _ body: (_ offsets: [Int], _ count: Int, _ innerStrides: [Int]) -> Void
    ) {
        if shape.contains(0) { return }
        let (s, st) = coalesce(shape, strides)
        if s.isEmpty {
            body(offsets, 1, [Int](repeating: 1, count: offsets.count))
            return
        }
        let inner = s.count - 1
        let innerStrides = st.map { $0[inner] }
        var index = [Int](repeating: 0, count: inner)
        var current = offsets
        while true {
            body(current, s[inner], innerStrides)
            var axis = inner - 1
            while axis >= 0 {
                index[axis] += 1
                for k in 0..<current.count { current[k] += st[k][axis] }
                if index[axis] < s[axis] { break }
                for k in 0..<current.count { current[k] -= st[k][axis] * s[axis] }
                index[axis] = 0
                axis -= 1
            }
            if axis < 0 { return }
        }
    }
}

extension Tensor {
    /// Copies `source`'s elements (same shape, any layout and dtype) into this tensor's view.
    mutating func copyElements(from source: Tensor) {
        ensure(source.shape == shape, "copy: shape \(source.shape) into \(shape)")
        let dst = storage, src = source.storage
        StridedRows.forEach(shape: shape, strides: [strides, source.strides],
                            offsets: [offset, source.offset]) { o, n, s in
            if dst.dtype == .float32 && src.dtype == .float32 {
                let d = dst.floats + o[0], x = src.floats + o[1]
                if s[0] == 1 && s[1] == 1 {
                    d.update(from: x, count: n)
                } else {
                    for i in 0..<n { d[i * s[0]] = x[i * s[1]] }
                }
            } else if dst.dtype.isInteger && src.dtype.isInteger {
                for i in 0..<n { dst.setInt(src.int(at: o[1] + i * s[1]), at: o[0] + i * s[0]) }
            } else if s[0] == 1 && s[1] == 1, let kernel = HalfKernel(from: src.dtype, to: dst.dtype) {
                kernel.convert(src.base, o[1], dst.base, o[0], count: n)
            } else {
                for i in 0..<n { dst.setFloat(src.float(at: o[1] + i * s[1]), at: o[0] + i * s[0]) }
            }
        }
    }
}
