import Kernels

/// Sorting and top-k selection along an axis.
///
/// Order: NaN is larger than every number (as PyTorch), `-0 == +0`, and equal elements keep
/// their original order in both directions (stable). Indices are Int64; values keep the input's
/// dtype. A rank-0 tensor sorts as a single element.
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
        precondition(k >= 0 && k <= n, "topk: k = \(k) is out of range for axis \(axis) of shape \(shape)")
        return selected(k: k, axis: a, descending: largest)
    }

    /// The first `k` elements of each row along axis `a` in the stable order.
    private func selected(k: Int, axis a: Int, descending: Bool) -> (values: Tensor, indices: Tensor) {
        if rank == 0 {
            let (v, i) = reshaped([1]).selected(k: k, axis: 0, descending: descending)
            return (v.reshaped([]), i.reshaped([]))
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
                    for (j, c) in best.enumerated() {
                        let i = Int(c & 0xFFFF_FFFF)
                        dstValues[r * k + j] = row[i]
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

/// Composite sort keys `order(x) << 32 | index`: comparing them as integers orders elements by
/// value (NaN largest, -0 = +0) and then by position, which makes every sort stable.
enum SortKeys {
    /// A key whose unsigned order is the float order (flipped when `descending`).
    @inline(__always) static func key(_ x: Float, descending: Bool) -> UInt32 {
        let bits = (x + 0).bitPattern
        let key = x.isNaN ? UInt32.max : (bits & 0x8000_0000 != 0 ? ~bits : bits | 0x8000_0000)
        return descending ? ~key : key
    }

    /// The composite keys of the first `k` elements of `row[0..<n]` in order: a bounded sorted
    /// insertion for small `k`, a full sort otherwise.
    static func firstInOrder(_ row: UnsafePointer<Float>, _ n: Int, _ k: Int, descending: Bool) -> [UInt64] {
        precondition(n <= Int(UInt32.max), "sort: axis of \(n) elements is too long")
        @inline(__always) func composite(_ i: Int) -> UInt64 {
            UInt64(key(row[i], descending: descending)) << 32 | UInt64(i)
        }
        if k > 256 || k * 8 > n {
            var all = (0..<n).map(composite)
            all.sort()
            return Array(all.prefix(k))
        }
        var best: [UInt64] = []
        best.reserveCapacity(k + 1)
        for i in 0..<n {
            let c = composite(i)
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
        return best
    }
}
