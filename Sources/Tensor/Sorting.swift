import Kernels

/// Sorting and top-k selection along an axis.
///
/// Order: NaN is larger than every number (as PyTorch), `-0 == +0`, and equal elements keep
/// their original order in both directions (stable). Indices are Int64; values keep the input's
/// dtype. A rank-0 tensor sorts as a single element (`topk(0)` of it has shape `[0]`).
extension Tensor {
    /// The elements sorted along `axis` and the positions they came from.
    public func sorted(axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: Tensor) {
        let a = rank == 0 ? 0 : Shape.axis(axis, rank: rank, op: "sort")
        return selected(k: rank == 0 ? 1 : shape[a], axis: a, descending: descending)
    }

    /// The positions that sort the elements along `axis` (stable).
    public func argsort(axis: Int = -1, descending: Bool = false) -> Tensor {
        sorted(axis: axis, descending: descending).indices
    }

    /// The `k` largest (or smallest) elements along `axis`, in sorted order, and their
    /// positions, like `torch.topk` (ties resolved toward the lower index). Traps unless `0 ≤ k ≤ extent`.
    public func topk(_ k: Int, axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: Tensor) {
        let a = rank == 0 ? 0 : Shape.axis(axis, rank: rank, op: "topk")
        let n = rank == 0 ? 1 : shape[a]
        ensure(k >= 0 && k <= n, "topk: k = \(k) is out of range for axis \(axis) of shape \(shape)")
        return selected(k: k, axis: a, descending: largest)
    }

    /// The first `k` elements of each row along axis `a` in the stable order.
    private func selected(k: Int, axis a: Int, descending: Bool) -> (values: Tensor, indices: Tensor) {
        if rank == 0 {
            let (v, i) = reshaped([1]).selected(k: k, axis: 0, descending: descending)
            return k == 1 ? (v.reshaped([]), i.reshaped([])) : (v, i)
        }
        let (rows, outer) = rowsAlong(a)
        let n = shape[a], m = outer.reduce(1, *)
        let values = Tensor(zeros: outer + [k]), indices = Tensor(zeros: outer + [k], dtype: .int64)
        if m > 0 && k > 0 {
            let src = UnsafePointer(rows.floatPointer), dstValues = values.floatPointer
            let dstIndices = indices.storage.base.assumingMemoryBound(to: Int64.self)
            Parallel.forChunks(m, costPerElement: n * 16) { start, end in
                for r in start..<end {
                    let row = src + r * n
                    let best = SortKeys.firstInOrder(row, n, k, descending: descending)
                    for (j, i) in best.enumerated() {
                        dstValues[r * k + j] = row[Int(i)]
                        dstIndices[r * k + j] = Int64(i)
                    }
                }
            }
        }
        var order = Array(0..<(rank - 1))
        order.insert(rank - 1, at: a)
        let v = a == rank - 1 ? values : values.permuted(order).contiguous()
        let i = a == rank - 1 ? indices : indices.permuted(order).contiguous()
        return (v.converted(to: dtype), i)
    }
}

/// Stable orderings of a row by `SortKeys.key`, whose unsigned order is the element order
/// (NaN largest, -0 = +0); ties keep their original order.
enum SortKeys {
    /// A key whose unsigned order is the float order (flipped when `descending`).
    @inline(__always) static func key(_ x: Float, descending: Bool) -> UInt32 {
        let bits = (x + 0).bitPattern
        let key = x.isNaN ? UInt32.max : (bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000)
        return descending ? ~key : key
    }

    /// Positions of the first `k ≥ 1` elements of `row[0..<n]` in stable order: a bounded sorted
    /// insertion of `key << 32 | position` for small `k`, a radix sort otherwise.
    static func firstInOrder(_ row: UnsafePointer<Float>, _ n: Int, _ k: Int, descending: Bool) -> [UInt32] {
        ensure(n <= Int(UInt32.max), "sort: axis of \(n) elements is too long")
        if k > 256 || k * 8 > n {
            return Array(radixOrder(row, n, descending: descending).prefix(k))
        }
        var best: [UInt64] = []
        best.reserveCapacity(k + 1)
        for i in 0..<n {
            let c = UInt64(key(row[i], descending: descending)) << 32 | UInt64(i)
            if best.count == k {
                if c >= best[k - 1] { continue }
                best.removeLast()
            }
            var lo = 0, hi = best.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if best[mid] < c { lo = mid + 1 } else { hi = mid }
            }
            best.insert(c, at: lo)
        }
        return best.map { UInt32(truncatingIfNeeded: $0) }
    }

    /// Positions of `row[0..<n]` in stable key order: least-significant-digit radix sort,
    /// four passes of 8 bits (a pass is skipped when every key shares that byte).
    static func radixOrder(_ row: UnsafePointer<Float>, _ n: Int, descending: Bool) -> [UInt32] {
        var keys = (0..<n).map { key(row[$0], descending: descending) }
        var order = (0..<n).map { UInt32($0) }
        var keysOut = keys, orderOut = order
        var counts = [Int](repeating: 0, count: 257)
        for shift in stride(from: UInt32(0), to: 32, by: 8) {
            counts.withUnsafeMutableBufferPointer { c in
                c.update(repeating: 0)
                for key in keys { c[Int((key >> shift) & 0xFF) + 1] += 1 }
            }
            if counts.contains(n) { continue }
            for b in 1...256 { counts[b] += counts[b - 1] }
            keys.withUnsafeBufferPointer { kIn in order.withUnsafeBufferPointer { oIn in
                keysOut.withUnsafeMutableBufferPointer { kOut in orderOut.withUnsafeMutableBufferPointer { oOut in
                    counts.withUnsafeMutableBufferPointer { c in
                        for i in 0..<n {
                            let b = Int((kIn[i] >> shift) & 0xFF)
                            kOut[c[b]] = kIn[i]
                            oOut[c[b]] = oIn[i]
                            c[b] += 1
                        }
                    }
                } }
            } }
            swap(&keys, &keysOut)
            swap(&order, &orderOut)
        }
        return order
    }
}
