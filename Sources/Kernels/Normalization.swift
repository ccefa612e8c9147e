/// Row-wise normalisation over a row-major `rows × cols` matrix, in TransformerLens's formulation
/// (`LayerNorm`/`LayerNormPre`, `RMSNorm`/`RMSNormPre`). Row sums are accumulated in Double, then each
/// step rounds to Float as PyTorch's float32 ops do; rows are split across cores.
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
                let mean = Float(sum(row, cols) / Double(cols))
                let meanSquare = Float(sumSquares(row, cols, minus: mean) / Double(cols))
                let scale = (meanSquare + eps).squareRoot()
                scales[r] = scale
                normalize(row, out + r * cols, cols, minus: mean, over: scale, weight: weight, bias: bias)
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
                let meanSquare = Float(sumSquares(row, cols, minus: 0) / Double(cols))
                let scale = (meanSquare + eps).squareRoot()
                scales[r] = scale
                normalize(row, out + r * cols, cols, minus: 0, over: scale, weight: weight, bias: nil)
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

    /// `Σ (x[k] − c)²` with `x[k] − c` rounded to Float (as PyTorch forms it) and squared and summed in Double.
    static func sumSquares(_ x: UnsafePointer<Float>, _ n: Int, minus c: Float) -> Double {
        var lo = SIMD8<Double>(), hi = SIMD8<Double>()
        var i = 0
        while i + 16 <= n {
            let d = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - c
            let dl = SIMD8<Double>(d.lowHalf), dh = SIMD8<Double>(d.highHalf)
            lo += dl * dl
            hi += dh * dh
            i += 16
        }
        var total = (lo + hi).sum()
        while i < n {
            let d = Double(x[i] - c)
            total += d * d
            i += 1
        }
        return total
    }

    /// `out[k] = (x[k] − c) / s`, then `· w[k] + b[k]` for the factors given.
    static func normalize(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, minus c: Float, over s: Float,
        weight: UnsafePointer<Float>?, bias: UnsafePointer<Float>?
    ) {
        var i = 0
        while i + 16 <= n {
            var v = (UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self) - c) / s
            if let w = weight { v *= UnsafeRawPointer(w + i).loadUnaligned(as: SIMD16<Float>.self) }
            if let b = bias { v += UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self) }
            UnsafeMutableRawPointer(out + i).storeBytes(of: v, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n {
            var v = (x[i] - c) / s
            if let w = weight { v *= w[i] }
            if let b = bias { v += b[i] }
            out[i] = v
            i += 1
        }
    }
}
