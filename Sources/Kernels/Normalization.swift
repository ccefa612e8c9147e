internal import CKernels

/// Row-wise normalisation over a row-major `rows × cols` matrix, in TransformerLens's formulation
/// (`LayerNorm`/`LayerNormPre`, `RMSNorm`/`RMSNormPre`), accurate to about 1 ulp of the exact result:
/// sums are accumulated in Double and the mean is subtracted in two Float parts. Rows are split across cores
/// and run through the C kernels on `InstructionSet.active`.
public enum Normalization {
    /// LayerNorm: `c = x − mean(x)`, `scale = √(mean(c²) + eps)`, `out = c / scale`, then `out · w + b`
    /// when `weight`/`bias` (length `cols`) are given. `scales[r]` receives row r's scale. `out` may alias `x`.
    public static func layerNorm(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>,
        rows: Int, cols: Int, eps: Float,
        weight: UnsafePointer<Float>? = nil, bias: UnsafePointer<Float>? = nil
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 3) { r0, r1 in
            sl_layer_norm_rows(isa, x + r0 * cols, out + r0 * cols, scales + r0, r1 - r0, cols, eps, weight, bias)
        }
    }

    /// RMSNorm: `scale = √(mean(x²) + eps)`, `out = x / scale`, then `out · w` when `weight` is given.
    /// `scales[r]` receives row r's scale. `out` may alias `x`.
    public static func rmsNorm(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, scales: UnsafeMutablePointer<Float>,
        rows: Int, cols: Int, eps: Float, weight: UnsafePointer<Float>? = nil
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 2) { r0, r1 in
            sl_rms_norm_rows(isa, x + r0 * cols, out + r0 * cols, scales + r0, r1 - r0, cols, eps, weight)
        }
    }
}
