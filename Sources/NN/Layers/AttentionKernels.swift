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

    /// Softmax over the last axis into `out` (which may be `scores` itself): `exp(s - max) / Σ exp(s - max)`;
    /// a row whose keys are all hidden becomes zeros (TransformerLens turns its NaNs into 0).
    static func softmax(_ scores: Tensor, into out: Tensor) {
        let keys = scores.shape[scores.rank - 1], rows = scores.count / max(keys, 1)
        let src = scores.elementPointer, dst = out.elementPointer
        Parallel.forChunks(rows, costPerElement: keys * 8) { start, end in
            for row in start..<end {
                let s = src + row * keys, o = dst + row * keys
                var m = -Float.infinity
                for j in 0..<keys where s[j] > m { m = s[j] }
                if m == -.infinity {
                    o.update(repeating: 0, count: keys)
                    continue
                }
                var total: Float = 0
                for j in 0..<keys {
                    let e = Foundation.exp(s[j] - m)
                    o[j] = e
                    total += e
                }
                let inverse = 1 / total
                for j in 0..<keys { o[j] *= inverse }
            }
        }
    }
}
