#if canImport(Glibc)
import Glibc
#endif

/// Row-wise softmax family over a row-major `rows × cols` matrix (rows split across cores).
/// Numerically stable: every exponent is taken of `x − max(row)`. Special values follow PyTorch:
/// a row of all −inf (or holding +inf or NaN) gives NaN from `softmax` and `logSoftmax`.
public enum Softmax {
    /// `out[r, j] = e^{x[r,j] − m_r} / Σ_k e^{x[r,k] − m_r}` with `m_r = max_k x[r,k]`. `out` may alias `x`.
    public static func softmax(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 8) { r0, r1 in
            for r in r0..<r1 { softmaxRow(x + r * cols, out + r * cols, cols) }
        }
    }

    /// `out[r, j] = (x[r,j] − m_r) − log Σ_k e^{x[r,k] − m_r}` with `m_r = max_k x[r,k]`. `out` may alias `x`.
    public static func logSoftmax(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 8) { r0, r1 in
            for r in r0..<r1 { logSoftmaxRow(x + r * cols, out + r * cols, cols) }
        }
    }

    /// `out[r] = s_r + log Σ_k e^{x[r,k] − s_r}` with `s_r = max_k x[r,k]`, or 0 when that max is ±inf
    /// (PyTorch's rule: an all −inf or empty row gives −inf, a row holding +inf gives +inf).
    public static func logsumexp(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 8) { r0, r1 in
            for r in r0..<r1 {
                let m = rowMax(x + r * cols, cols)
                let shift: Float = m.isInfinite ? 0 : m
                out[r] = Float(Double(shift) + log(sumExp(x + r * cols, cols, minus: shift)))
            }
        }
    }

    /// `max_k x[k]` over 16 lanes (−inf for an empty row; NaN lanes are skipped, the sums propagate them).
    static func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            acc = acc.replacing(with: v, where: v .> acc)
            i += 16
        }
        var m = acc.max()
        while i < n {
            if x[i] > m { m = x[i] }
            i += 1
        }
        return m
    }

    /// `Σ_k e^{x[k] − m}`, the 16-lane exponentials accumulated in Double (the tail padded with −inf,
    /// whose exponential is 0).
    static func sumExp(_ x: UnsafePointer<Float>, _ n: Int, minus m: Float) -> Double {
        var acc = DoubleAccumulator()
        var i = 0
        while i + 16 <= n {
            acc.add(VectorMath.exp(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - m))
            i += 16
        }
        if i < n { acc.add(VectorMath.exp(tail(x + i, n - i, padding: -.infinity) - m)) }
        return acc.total
    }

    /// One row: `out = e^{x − m}`, summed in Double on the way, then scaled by `1/Σ`.
    static func softmaxRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = rowMax(x, n)
        var acc = DoubleAccumulator()
        var i = 0
        while i + 16 <= n {
            let e = VectorMath.exp(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - m)
            UnsafeMutableRawPointer(out + i).storeBytes(of: e, as: SIMD16<Float>.self)
            acc.add(e)
            i += 16
        }
        if i < n {
            let e = VectorMath.exp(tail(x + i, n - i, padding: -.infinity) - m)
            for k in 0..<(n - i) { out[i + k] = e[k] }
            acc.add(e)
        }
        scale(out, n, by: Float(1 / acc.total))
    }

    /// One row: `out = (x − m) − log Σ e^{x − m}`.
    static func logSoftmaxRow(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let m = rowMax(x, n)
        let logSum = Float(log(sumExp(x, n, minus: m)))
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: (v - m) - logSum, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            out[i] = (x[i] - m) - logSum
            i += 1
        }
    }

    /// `x[k] *= s` in place.
    static func scale(_ x: UnsafeMutablePointer<Float>, _ n: Int, by s: Float) {
        var i = 0
        while i + 16 <= n {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(x + i).storeBytes(of: v * s, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            x[i] *= s
            i += 1
        }
    }

    /// The last `n < 16` elements in lanes `0..<n`, the other lanes set to `padding`.
    @inline(__always)
    static func tail(_ x: UnsafePointer<Float>, _ n: Int, padding: Float) -> SIMD16<Float> {
        var v = SIMD16<Float>(repeating: padding)
        for k in 0..<n { v[k] = x[k] }
        return v
    }
}

/// A running sum of 16-lane Float vectors held in two Double vectors (the conversion is exact).
struct DoubleAccumulator {
    var low = SIMD8<Double>(), high = SIMD8<Double>()

    @inline(__always) mutating func add(_ v: SIMD16<Float>) {
        low += SIMD8<Double>(v.lowHalf)
        high += SIMD8<Double>(v.highHalf)
    }

    /// The sum of every lane added so far.
    var total: Double { (low + high).sum() }
}
