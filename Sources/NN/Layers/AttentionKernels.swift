import Foundation
import Kernels

/// Row kernels over attention scores `[batch, heads, query, key]` (contiguous Float32).
enum AttentionKernels {
    /// In place: `s = softcap(s / divisor)` where the key is visible, `-inf` elsewhere.
    /// Query `i` (absolute index `past + i`) sees key `j` when `j <= past + i`, `j > past + i - window`
    /// (local layers) and `keyMask[b, j] == 1`; `softcap(s) = cap · tanh(s / cap)`.
    static func scaleAndMask(_ scores: Tensor, layout: SequenceLayout, divisor: Float, softCap: Float?, window: Int?) {
        let (batch, heads, queries, keys) = (scores.shape[0], scores.shape[1], scores.shape[2], scores.shape[3])
        let base = scores.elementPointer, past = layout.past
        let mask = layout.keyMask
        Parallel.forChunks(batch * heads * queries, costPerElement: keys * 2) { start, end in
            for row in start..<end {
                let s = base + row * keys
                let b = row / (heads * queries), i = row % queries
                let last = past + i, first = window.map { max(0, last - $0 + 1) } ?? 0
                for j in 0..<keys {
                    var visible = j >= first && j <= last
                    if visible, let mask { visible = mask[b * keys + j] != 0 }
                    if !visible { s[j] = -.infinity; continue }
                    var v = s[j] / divisor
                    if let cap = softCap { v = cap * Foundation.tanh(v / cap) }
                    s[j] = v
                }
            }
        }
    }

    /// Softmax over the last axis into `out` (which may be `scores` itself): `exp(s - max) / Σ exp(s - max)`,
    /// with NaN (a row whose keys are all hidden) turned into 0 as TransformerLens does.
    static func softmax(_ scores: Tensor, into out: Tensor) {
        let keys = scores.shape[scores.rank - 1], rows = scores.count / max(keys, 1)
        let dst = out.elementPointer
        Softmax.softmax(scores.elementPointer, dst, rows: rows, cols: keys)
        Parallel.forChunks(rows, costPerElement: keys) { start, end in
            for row in start..<end where dst[row * keys].isNaN || dst[row * keys + keys - 1].isNaN {
                let o = dst + row * keys
                for j in 0..<keys where o[j].isNaN { o[j] = 0 }
            }
        }
    }
}
