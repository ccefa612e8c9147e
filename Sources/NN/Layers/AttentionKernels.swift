import Kernels

/// Row kernels over attention scores `[batch, heads, query, key]` (contiguous Float32).
enum AttentionKernels {
    /// In place: `s = softcap(s / divisor)` where the key is visible, `-inf` elsewhere.
    /// Query `i` (absolute index `past + i`) sees key `j` when `j <= past + i`, `j > past + i - window`
    /// (local layers) and `keyMask[b, j] == 1`; `softcap(s) = cap · tanh(s / cap)`.
    static func scaleAndMask(_ scores: Tensor, layout: SequenceLayout, divisor: Float, softCap: Float?, window: Int?) {
        let (batch, heads, queries, keys) = (scores.shape[0], scores.shape[1], scores.shape[2], scores.shape[3])
        func run(_ mask: UnsafePointer<UInt8>?) {
            Softmax.maskScores(scores.elementPointer, batch: batch, heads: heads, queries: queries, keys: keys,
                               past: layout.past, window: window, keyMask: mask, divisor: divisor, softCap: softCap)
        }
        if let mask = layout.keyMask { mask.withUnsafeBufferPointer { run($0.baseAddress) } } else { run(nil) }
    }

    /// Softmax over the last axis into `out` (which may be `scores` itself): `exp(s - max) / Σ exp(s - max)`,
    /// with a row whose keys are all hidden (NaN) turned into zeros as TransformerLens does.
    static func softmax(_ scores: Tensor, into out: Tensor) {
        let keys = scores.shape[scores.rank - 1], rows = scores.count / max(keys, 1)
        Softmax.softmax(scores.elementPointer, out.elementPointer, rows: rows, cols: keys, zeroingNaNRows: true)
    }
}
