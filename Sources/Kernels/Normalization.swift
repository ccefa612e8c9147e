/// Row-wise normalisation over a row-major `rows × cols` matrix, in TransformerLens's formulation
/// (`LayerNorm`/`LayerNormPre`, `RMSNorm`/`RMSNormPre`), accurate to about 1 ulp of the exact result:
/// sums are accumulated in Double and the mean is subtracted in two Float parts. Rows are split across cores.
public enum Normalization {
    /// LayerNorm: `c = x − mean(x)`, `scale = √(mean(c²) + eps)`, `out = c / scale`, then `out · w + b`
    /// when `weight`/`bias` (length `cols`) are given. `scales[r]` receives row r's scale. `out` may alias `x`.
    public static func layerNorm(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>,
        rows: Int, cols: Int, eps: Float,
        weight: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>? = nil
    ) {
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 3) { r0, r1 in
            for r in r0..<r1 {
                let row = x + r * cols
                let mean = sum(row, cols) / Double(cols)
                // c = (x − m_hi) − m_lo with m_hi + m_lo = mean, so c rounds once.
                let high = Float(mean), low = Float(mean - Double(high))
                let meanSquare = sumSquares(row, cols, minus: high, low) / Double(cols)
                let scale = Float((meanSquare + Double(eps)).squareRoot())
                scales[r] = scale
                normalize(row, out + r * cols, cols, minus: high, low, over: scale, weight: weight, bias: bias)
            }
        }
    }

    /// RMSNorm: `scale = √(mean(x²) + eps)`, `out = x / scale`, then `out · w` when `weight` is given.
    /// `scales[r]` receives row r's scale. `out` may alias `x`.
    public static func rmsNorm(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>,
        rows: Int, cols: Int, eps: Float, weight: UnsafePointer<Float>? = nil
    ) {
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 2) { r0, r1 in
            for r in r0..<r1 {
                let row = x + r * cols
                let meanSquare = sumSquares(row, cols, minus: 0, 0) / Double(cols)
                let scale = Float((meanSquare + Double(eps)).squareRoot())
                scales[r] = scale
                normalize(row, out + r * cols, cols, minus: 0, 0, over: scale, weight: weight, bias: nil)
            }
        }
    }

    /// `Σ x[k]`, each 16-lane load widened to Double before it is added.
    static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var acc = DoubleAccumulator()
        var i = 0
        while i + 16 <= n {
            acc.add(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self))
            i += 16
        }
        var total = acc.total
        while i < n {
            total += Double(x[i])
            i += 1
        }
        return total
    }

    /// `Σ c[k]²` with `c[k] = (x[k] − high) − low` in Float, squared and summed in Double.
    static func sumSquares(_ x: UnsafePointer<Float>, _ n: Int, minus high: Float, _ low: Float) -> Double {
        var lo = SIMD8<Double>(), hi = SIMD8<Double>()
        var i = 0
        while i + 16 <= n {
            let c = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - high) - low
            let cl = SIMD8<Double>(c.lowHalf), ch = SIMD8<Double>(c.highHalf)
            lo += cl * cl
            hi += ch * ch
            i += 16
        }
        var total = (lo + hi).sum()
        while i < n {
            let c = Double((x[i] - high) - low)
            total += c * c
            i += 1
        }
        return total
    }

    /// `out[k] = ((x[k] − high) − low) / s`, then `· w[k] + b[k]` for the factors given.
    static func normalize(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int,
        minus high: Float, _ low: Float, over s: Float,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?
    ) {
        var i = 0
        while i + 16 <= n {
            var v = ((UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - high) - low) / s
            if let w = weight { v *= UnsafeRawPointer(w + i).loadUnaligned(as: SIMD16<Float>.self) }
            if let b = bias { v += UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self) }
            UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            var v = ((x[i] - high) - low) / s
            if let w = weight { v *= w[i] }
            if let b = bias { v += b[i] }
            out[i] = v
            i += 1
        }
    }
}
