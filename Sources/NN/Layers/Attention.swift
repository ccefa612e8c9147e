/// Multi-head causal self-attention (MHA, or grouped-query / multi-query when `nKeyValueHeads < nHeads`),
/// with optional rotary positions, local windows, score soft-capping and QK RMSNorm.
///
/// Weights are held in TransformerLens shapes (`W_Q [n_heads, d_model, d_head]`, `_W_K`/`_W_V
/// [n_kv, d_model, d_head]`, `W_O [n_heads, d_head, d_model]`); the query, key and value projections live in one
/// packed `[d_model, (n_heads + 2 n_kv) d_head]` matrix so a forward pass runs them as one GEMM, and the
/// TransformerLens names are views into it. Query head `h` reads key/value head `h / (n_heads / n_kv)`.
public struct Attention: Sendable {
    /// TransformerLens path, e.g. `blocks.3.attn`.
    public let name: String
    /// Query heads.
    public let nHeads: Int
    /// Key/value heads.
    public let nKeyValueHeads: Int
    /// Features per head.
    public let dHead: Int
    /// Residual width.
    public let dModel: Int
    /// Scores are divided by this before soft-capping and masking.
    public let scoreDivisor: Float
    /// `cap · tanh(s / cap)` on the scores, if set.
    public let softCap: Float?
    /// Keys visible to a query: the last `window` positions (local layers), or all earlier ones (nil).
    public let window: Int?
    /// Rotary embedding of queries and keys, if the model uses it.
    public let rotary: Rotary?
    /// RMSNorm over each query head (`q_norm`), if the model uses QK norm.
    public let qNorm: RMSNorm?
    /// RMSNorm over each key head (`k_norm`), if the model uses QK norm.
    public let kNorm: RMSNorm?
    /// Output projection `[n_heads, d_head, d_model]`.
    public let W_O: Tensor
    /// Output bias `[d_model]`.
    public let b_O: Tensor
    let qkvWeight: Tensor
    let qkvBias: Tensor

    /// Attention at `name` from TransformerLens-shaped weights; `W_K`, `W_V`, `b_K`, `b_V` have `nKeyValueHeads` heads.
    public init(name: String, W_Q: Tensor, W_K: Tensor, W_V: Tensor, W_O: Tensor, b_Q: Tensor, b_K: Tensor,
                b_V: Tensor, b_O: Tensor, scoreDivisor: Float, softCap: Float?, window: Int?, rotary: Rotary?,
                qNorm: RMSNorm?, kNorm: RMSNorm?) {
        self.name = name
        (nHeads, dModel, dHead) = (W_Q.shape[0], W_Q.shape[1], W_Q.shape[2])
        nKeyValueHeads = W_K.shape[0]
        (self.scoreDivisor, self.softCap, self.window, self.rotary) = (scoreDivisor, softCap, window, rotary)
        (self.qNorm, self.kNorm) = (qNorm, kNorm)
        self.W_O = W_O.contiguousFloat32()
        self.b_O = b_O.contiguousFloat32()
        let parts = [W_Q, W_K, W_V].map { $0.permuted([1, 0, 2]).reshaped([$0.shape[1], $0.shape[0] * $0.shape[2]]) }
        var weight = Tensor(zeros: [dModel, parts.map { $0.shape[1] }.reduce(0, +)])
        var bias = Tensor(zeros: [weight.shape[1]])
        var column = 0
        for (part, b) in zip(parts, [b_Q, b_K, b_V]) {
            let width = part.shape[1]
            weight[.all, column..<(column + width)] = part
            bias[column..<(column + width)] = b.reshaped([width])
            column += width
        }
        qkvWeight = weight
        qkvBias = bias
    }

    var queryWidth: Int { nHeads * dHead }
    var keyWidth: Int { nKeyValueHeads * dHead }

    /// Columns `start..<start + heads·d_head` of the packed projection as `[heads, d_model, d_head]`.
    private func weightView(_ start: Int, heads: Int) -> Tensor {
        qkvWeight[.all, start..<(start + heads * dHead)].reshaped([dModel, heads, dHead]).permuted([1, 0, 2])
    }

    /// Query projection `[n_heads, d_model, d_head]`.
    public var W_Q: Tensor { weightView(0, heads: nHeads) }
    /// Key projection of the key/value heads `[n_kv, d_model, d_head]` (TransformerLens `_W_K`).
    public var W_K_grouped: Tensor { weightView(queryWidth, heads: nKeyValueHeads) }
    /// Value projection of the key/value heads `[n_kv, d_model, d_head]` (TransformerLens `_W_V`).
    public var W_V_grouped: Tensor { weightView(queryWidth + keyWidth, heads: nKeyValueHeads) }
    /// Query bias `[n_heads, d_head]`.
    public var b_Q: Tensor { qkvBias[0..<queryWidth].reshaped([nHeads, dHead]) }
    /// Key bias of the key/value heads `[n_kv, d_head]` (TransformerLens `_b_K`).
    public var b_K_grouped: Tensor { qkvBias[queryWidth..<(queryWidth + keyWidth)].reshaped([nKeyValueHeads, dHead]) }
    /// Value bias of the key/value heads `[n_kv, d_head]` (TransformerLens `_b_V`).
    public var b_V_grouped: Tensor {
        qkvBias[(queryWidth + keyWidth)..<(queryWidth + 2 * keyWidth)].reshaped([nKeyValueHeads, dHead])
    }
    /// Key projection repeated to every query head `[n_heads, d_model, d_head]`.
    public var W_K: Tensor { repeatHeads(W_K_grouped) }
    /// Value projection repeated to every query head `[n_heads, d_model, d_head]`.
    public var W_V: Tensor { repeatHeads(W_V_grouped) }
    /// Key bias repeated to every query head `[n_heads, d_head]`.
    public var b_K: Tensor { repeatHeads(b_K_grouped) }
    /// Value bias repeated to every query head `[n_heads, d_head]`.
    public var b_V: Tensor { repeatHeads(b_V_grouped) }

    /// `x [n_kv, ...]` with each head repeated `n_heads / n_kv` times (`repeat_interleave` on axis 0).
    private func repeatHeads(_ x: Tensor) -> Tensor {
        if nKeyValueHeads == nHeads { return x }
        let group = nHeads / nKeyValueHeads
        let rest = Array(x.shape.dropFirst())
        return x.unsqueezed(1).expanded(to: [nKeyValueHeads, group] + rest).reshaped([nHeads] + rest)
    }

    /// `input · W + b` for one projection: `input [batch, pos, d_model]` through the packed columns, or
    /// `input [batch, pos, heads, d_model]` (split inputs) head by head. Returns `[batch, pos, heads, d_head]`.
    func project(_ input: Tensor, start: Int, heads: Int) -> Tensor {
        let (batch, positions) = (input.shape[0], input.shape[1])
        let columns = start..<(start + heads * dHead)
        if input.rank == 3 {
            let projected = linear(input, qkvWeight[.all, columns], bias: qkvBias[columns])
            return projected.reshaped([batch, positions, heads, dHead])
        }
        let perHead = input.permuted([0, 2, 1, 3]).matmul(weightView(start, heads: heads)).permuted([0, 2, 1, 3])
        return perHead + qkvBias[columns].reshaped([heads, dHead])
    }

    /// Queries, keys and values `[batch, pos, heads, d_head]`: one GEMM when all three inputs are the same
    /// `[batch, pos, d_model]` tensor, separate projections otherwise.
    func projections(query: Tensor, key: Tensor, value: Tensor) -> (Tensor, Tensor, Tensor) {
        guard query.rank == 3, query.isSameView(as: key), query.isSameView(as: value) else {
            return (project(query, start: 0, heads: nHeads), project(key, start: queryWidth, heads: nKeyValueHeads),
                    project(value, start: queryWidth + keyWidth, heads: nKeyValueHeads))
        }
        let (batch, positions) = (query.shape[0], query.shape[1])
        let qkv = linear(query, qkvWeight, bias: qkvBias)
        func heads(_ start: Int, _ count: Int) -> Tensor {
            qkv[.all, .all, start..<(start + count * dHead)].reshaped([batch, positions, count, dHead])
        }
        return (heads(0, nHeads), heads(queryWidth, nKeyValueHeads), heads(queryWidth + keyWidth, nKeyValueHeads))
    }
}
