internal import CKernels

/// Row-wise softmax family over a row-major `rows × cols` matrix (rows split across cores), through the C
/// kernels on `InstructionSet.active`. Numerically stable: every exponent is taken of `x − max(row)`, and row
/// sums are accumulated in Double. Special values follow PyTorch: a row of all −inf (or holding +inf or NaN)
/// gives NaN from `softmax` and `logSoftmax`.
public enum Softmax {
    /// `out[r, j] = e^{x[r,j] − m_r} / Σ_k e^{x[r,k] − m_r}` with `m_r = max_k x[r,k]`. With `zeroingNaNRows`,
    /// a row that would be NaN (all keys hidden, as TransformerLens's attention pattern) is all zeros instead.
    /// `out` may alias `x`.
    public static func softmax(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int,
        zeroingNaNRows: Bool = false
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 8) { r0, r1 in
            sl_softmax_rows(isa, x + r0 * cols, out + r0 * cols, r1 - r0, cols, zeroingNaNRows ? 1 : 0)
        }
    }

    /// `out[r, j] = (x[r,j] − m_r) − log Σ_k e^{x[r,k] − m_r}` with `m_r = max_k x[r,k]`. `out` may alias `x`.
    public static func logSoftmax(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 8) { r0, r1 in
            sl_log_softmax_rows(isa, x + r0 * cols, out + r0 * cols, r1 - r0, cols)
        }
    }

    /// `out[r] = s_r + log Σ_k e^{x[r,k] − s_r}` with `s_r = max_k x[r,k]`, or 0 when that max is ±inf
    /// (PyTorch's rule: an all −inf or empty row gives −inf, a row holding +inf gives +inf).
    public static func logsumexp(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(rows, costPerElement: max(1, cols) * 8) { r0, r1 in
            sl_logsumexp_rows(isa, x + r0 * cols, out + r0, r1 - r0, cols)
        }
    }

    /// Scales and masks attention scores `[batch, heads, queries, keys]` in place, as the attention pattern's
    /// softmax expects them: `s = softcap(s / divisor)` where the key is visible, −inf elsewhere.
    /// Query `i` (absolute position `past + i`) sees key `j` when `j ≤ past + i`, `j > past + i − window`
    /// (sliding-window layers; nil for global attention) and `keyMask[b·keys + j] != 0` (padding; nil when
    /// nothing is padded). `softcap(v) = cap·tanh(v / cap)` when `softCap` is given.
    public static func maskScores(
        _ scores: UnsafeMutablePointer<Float>, batch: Int, heads: Int, queries: Int, keys: Int, past: Int,
        window: Int?, keyMask: UnsafePointer<UInt8>?, divisor: Float, softCap: Float?
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(batch * heads * queries, costPerElement: keys * 2) { start, end in
            for row in start..<end {
                let b = row / (heads * queries), i = row % queries
                let last = past + i, first = window.map { max(0, last - $0 + 1) } ?? 0
                sl_mask_scores_row(isa, scores + row * keys, keys, first, last, keyMask.map { $0 + b * keys },
                                   divisor, softCap ?? 0)
            }
        }
    }
}
