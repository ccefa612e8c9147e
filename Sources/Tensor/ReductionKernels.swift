import Kernels

/// An associative fold with its scalar and SIMD forms: sum, product, maximum, minimum.
protocol FoldOp {
    /// The fold of no elements, or nil when it is undefined (maximum, minimum).
    static var identity: Float? { get }
    /// `a ∘ b` on scalars.
    static func combine(_ a: Float, _ b: Float) -> Float
    /// `a ∘ b` lane by lane.
    static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float>
}

/// `a + b`.
enum SumFold: FoldOp {
    static var identity: Float? { 0 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a + b }
    @inline(__always) static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a + b }
}

/// `a · b`.
enum ProductFold: FoldOp {
    static var identity: Float? { 1 }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { a * b }
    @inline(__always) static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> { a * b }
}

/// `max(a, b)`, NaN-propagating like NumPy: `b` replaces `a` when `b > a` or `b` is NaN,
/// and a NaN accumulator is never replaced by a number.
enum MaxFold: FoldOp {
    static var identity: Float? { nil }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b > a || b.isNaN ? b : a }
    @inline(__always) static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: (b .> a) .| (b .!= b))
    }
}

/// A maximum or minimum whose position can be tracked (`argmax`, `argmin`).
protocol ExtremeFold: FoldOp {
    /// Whether `v` displaces the current extreme `best`: strictly better, or the first NaN.
    static func replaces(_ v: Float, _ best: Float) -> Bool
    /// `replaces` lane by lane.
    static func replaces(_ v: SIMD16<Float>, _ best: SIMD16<Float>) -> SIMDMask<SIMD16<Int32>>
}

extension MaxFold: ExtremeFold {
    @inline(__always) static func replaces(_ v: Float, _ best: Float) -> Bool { v > best || v.isNaN && !best.isNaN }
    @inline(__always) static func replaces(_ v: SIMD16<Float>, _ best: SIMD16<Float>) -> SIMDMask<SIMD16<Int32>> {
        (v .> best) .| ((v .!= v) .& (best .== best))
    }
}

extension MinFold: ExtremeFold {
    @inline(__always) static func replaces(_ v: Float, _ best: Float) -> Bool { v < best || v.isNaN && !best.isNaN }
    @inline(__always) static func replaces(_ v: SIMD16<Float>, _ best: SIMD16<Float>) -> SIMDMask<SIMD16<Int32>> {
        (v .< best) .| ((v .!= v) .& (best .== best))
    }
}

/// `min(a, b)`, NaN-propagating like NumPy.
enum MinFold: FoldOp {
    static var identity: Float? { nil }
    @inline(__always) static func combine(_ a: Float, _ b: Float) -> Float { b < a || b.isNaN ? b : a }
    @inline(__always) static func combine(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        a.replacing(with: b, where: (b .< a) .| (b .!= b))
    }
}

/// Raw-pointer reduction kernels over contiguous Float32 buffers.
enum ReductionKernels {
    /// Elements per block of a long row; block results are folded in order, so each SIMD lane
    /// of a sum accumulates at most `blockLength / 32` values (pairwise-like rounding error).
    static let blockLength = 4096
    /// Columns per tile of a column fold (16 KiB of accumulators stays in L1).
    static let tileWidth = 4096

    @inline(__always) static func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }

    /// `r = p[0] ∘ p[1] ∘ ... ∘ p[n-1]` for `1 ≤ n`, with two SIMD16 accumulators.
    @inline(__always)
    static func foldShort<Op: FoldOp>(_: Op.Type, _ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var r: Float
        var i: Int
        if n >= 32 {
            var a0 = load(p), a1 = load(p + 16)
            i = 32
            while i + 32 <= n {
                a0 = Op.combine(a0, load(p + i))
                a1 = Op.combine(a1, load(p + i + 16))
                i += 32
            }
            if i + 16 <= n {
                a0 = Op.combine(a0, load(p + i))
                i += 16
            }
            let acc = Op.combine(a0, a1)
            r = acc[0]
            for lane in 1..<16 { r = Op.combine(r, acc[lane]) }
        } else {
            r = p[0]
            i = 1
        }
        while i < n {
            r = Op.combine(r, p[i])
            i += 1
        }
        return r
    }

    /// The fold of a row of `n ≥ 1` elements, block by block (see `blockLength`).
    static func foldRow<Op: FoldOp>(_ op: Op.Type, _ p: UnsafePointer<Float>, _ n: Int) -> Float {
        var r = foldShort(op, p, Swift.min(n, blockLength))
        var start = blockLength
        while start < n {
            r = Op.combine(r, foldShort(op, p + start, Swift.min(n - start, blockLength)))
            start += blockLength
        }
        return r
    }

    /// `dst[m] = fold(src[m*n ..< (m+1)*n])` for `m < rows`, `n ≥ 1`.
    static func foldRows<Op: FoldOp>(
        _ op: Op.Type, _ src: UnsafePointer<Float>, rows: Int, length n: Int, _ dst: UnsafeMutablePointer<Float>
    ) {
        reduceRows(op, rows: rows, length: n, dst) { m, start, count in foldRow(op, src + m * n + start, count) }
    }

    /// `dst[m] = piece(m, 0, n₀) ∘ piece(m, n₀, n₁) ∘ ...`: each row is folded by `piece` over
    /// consecutive non-empty ranges, in parallel over rows, or over pieces of each row (at least
    /// `blockLength` long) when there are fewer rows than workers.
    static func reduceRows<Op: FoldOp>(
        _: Op.Type, rows: Int, length n: Int, _ dst: UnsafeMutablePointer<Float>,
        _ piece: (_ row: Int, _ start: Int, _ count: Int) -> Float
    ) {
        let pieces = Swift.min(Parallel.workers, n / blockLength)
        if rows >= Parallel.workers || rows * n < Parallel.minimumParallelCount || pieces < 2 {
            Parallel.forChunks(rows, costPerElement: n) { start, end in
                for m in start..<end { dst[m] = piece(m, 0, n) }
            }
            return
        }
        let pieceLength = (n + pieces - 1) / pieces
        var partial = [Float](repeating: 0, count: pieces)
        for m in 0..<rows {
            partial.withUnsafeMutableBufferPointer { out in
                Parallel.forChunks(pieces, costPerElement: pieceLength) { start, end in
                    for p in start..<end {
                        let lo = p * pieceLength
                        out[p] = piece(m, lo, Swift.min(n, lo + pieceLength) - lo)
                    }
                }
            }
            dst[m] = partial.dropFirst().reduce(partial[0], Op.combine)
        }
    }

    /// `Σ (p[i] - mean)²` for `i < n`, block by block with two SIMD16 accumulators.
    static func squaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
        let m = SIMD16<Float>(repeating: mean)
        var total: Float = 0
        var start = 0
        while start < n {
            let end = Swift.min(n, start + blockLength)
            var a0 = SIMD16<Float>(), a1 = SIMD16<Float>()
            var i = start
            while i + 32 <= end {
                let d0 = load(p + i) - m, d1 = load(p + i + 16) - m
                a0 = d0 * d0 + a0
                a1 = d1 * d1 + a1
                i += 32
            }
            var block = (a0 + a1).sum()
            while i < end {
                let d = p[i] - mean
                block += d * d
                i += 1
            }
            total += block
            start = end
        }
        return total
    }

    /// `dst[o, k] = fold_r src[o, r, k]` for a contiguous `[outer, reduced, inner]` source with
    /// `reduced ≥ 1`: whole rows of `inner` values are folded into the output tile by tile.
    static func foldColumns<Op: FoldOp>(
        _ op: Op.Type, _ src: UnsafePointer<Float>, outer: Int, reduced: Int, inner: Int,
        _ dst: UnsafeMutablePointer<Float>
    ) {
        let tiles = (inner + tileWidth - 1) / tileWidth
        Parallel.forChunks(outer * tiles, costPerElement: reduced * Swift.min(inner, tileWidth)) { start, end in
            for item in start..<end {
                let o = item / tiles, c0 = (item % tiles) * tileWidth
                let width = Swift.min(tileWidth, inner - c0)
                let out = dst + o * inner + c0
                var row = src + o * reduced * inner + c0
                out.update(from: row, count: width)
                for _ in 1..<reduced {
                    row += inner
                    combineRow(op, out, row, width)
                }
            }
        }
    }

    /// `acc[i] = acc[i] ∘ x[i]` for `i < n`.
    @inline(__always)
    static func combineRow<Op: FoldOp>(
        _: Op.Type, _ acc: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int
    ) {
        var i = 0
        while i + 16 <= n {
            let v = Op.combine(load(acc + i), load(x + i))
            UnsafeMutableRawPointer(acc + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            acc[i] = Op.combine(acc[i], x[i])
            i += 1
        }
    }
}
