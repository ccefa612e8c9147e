/// Multi-head causal self-attention (MHA, or grouped-query / multi-query when `nKeyValueHeads < nHeads`),
/// with optional rotary positions, local windows, score soft-capping and QK RMSNorm.
///
/// Weights are held in TransformerLens shapes (`W_Q [n_heads, d_model, d_head]`, `_W_K`/`_W_V
/// [n_kv, d_model, d_head]`, `W_O [n_heads, d_head, d_model]`), in the dtype and layout they were given (views of a
/// checkpoint's `[heads·d_head, d_model]` projections stay views: nothing is copied or widened). The query, key
/// and value projections are `[d_model, heads·d_head]` matrices; when they are adjacent columns of one buffer
/// (GPT-2's fused `c_attn`) one product computes all three. Query head `h` reads key/value head
/// `h / (n_heads / n_kv)`.
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
    /// Output bias `[d_model]`.
    public let b_O: Tensor
    /// The output projection as `[n_heads·d_head, d_model]`.
    let outputWeight: Tensor
    /// Query, key and value projections `[d_model, heads·d_head]`, in the weights' dtype and layout.
    let projectionWeights: [Tensor]
    /// The three projections as one `[d_model, (n_heads + 2 n_kv)·d_head]` view when they are adjacent column
    /// blocks of one buffer, else nil.
    let packedWeight: Tensor?
    /// Query, key and value biases packed `[(n_heads + 2 n_kv)·d_head]` (Float32).
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
        self.b_O = b_O.contiguousFloat32()
        outputWeight = W_O.reshaped([W_O.shape[0] * W_O.shape[1], W_O.shape[2]])
        projectionWeights = [W_Q, W_K, W_V].map {
            $0.permuted([1, 0, 2]).reshaped([$0.shape[1], $0.shape[0] * $0.shape[2]])
        }
        packedWeight = Tensor.adjacentColumnsView(projectionWeights)
        qkvBias = Tensor.concat([b_Q, b_K, b_V].map { $0.contiguousFloat32().reshaped([-1]) })
    }

    var queryWidth: Int { nHeads * dHead }
    var keyWidth: Int { nKeyValueHeads * dHead }

    /// Projection `part` (0 query, 1 key, 2 value) as `[heads, d_model, d_head]` (a view).
    private func weightView(_ part: Int) -> Tensor {
        let w = projectionWeights[part]
        return w.reshaped([dModel, w.shape[1] / dHead, dHead]).permuted([1, 0, 2])
    }

    /// Query projection `[n_heads, d_model, d_head]`.
    public var W_Q: Tensor { weightView(0) }
    /// Key projection of the key/value heads `[n_kv, d_model, d_head]` (TransformerLens `_W_K`).
    public var W_K_grouped: Tensor { weightView(1) }
    /// Value projection of the key/value heads `[n_kv, d_model, d_head]` (TransformerLens `_W_V`).
    public var W_V_grouped: Tensor { weightView(2) }
    /// Output projection `[n_heads, d_head, d_model]`.
    public var W_O: Tensor { outputWeight.reshaped([nHeads, dHead, dModel]) }
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

    /// Bias columns of projection `part` (0 query, 1 key, 2 value).
    func biasColumns(_ part: Int) -> Range<Int> {
        let start = part == 0 ? 0 : queryWidth + (part - 1) * keyWidth
        return start..<(start + (part == 0 ? queryWidth : keyWidth))
    }

    /// `input · W + b` for projection `part` (0 query, 1 key, 2 value): `input [batch, pos, d_model]`, or
    /// `input [batch, pos, heads, d_model]` (split inputs) head by head. Returns `[batch, pos, heads, d_head]`.
    func project(_ input: Tensor, part: Int) -> Tensor {
        let (batch, positions) = (input.shape[0], input.shape[1])
        let columns = biasColumns(part)
        let heads = columns.count / dHead
        if input.rank == 3 {
            return linear(input, projectionWeights[part], bias: qkvBias[columns]).reshaped([batch, positions, heads, dHead])
        }
        return headLinear(input, weightView(part)) + qkvBias[columns].reshaped([heads, dHead])
    }

    /// Queries, keys and values `[batch, pos, heads, d_head]`: one product when all three inputs are the same
    /// `[batch, pos, d_model]` tensor and the weights are packed, separate projections otherwise.
    func projections(query: Tensor, key: Tensor, value: Tensor) -> (Tensor, Tensor, Tensor) {
        guard let packedWeight, query.rank == 3, query.isSameView(as: key), query.isSameView(as: value) else {
            return (project(query, part: 0), project(key, part: 1), project(value, part: 2))
        }
        let (batch, positions) = (query.shape[0], query.shape[1])
        let qkv = linear(query, packedWeight, bias: qkvBias)
        func heads(_ part: Int) -> Tensor {
            let columns = biasColumns(part)
            return qkv[.all, .all, columns].reshaped([batch, positions, columns.count / dHead, dHead])
        }
        return (heads(0), heads(1), heads(2))
    }
}
