/// Direct logit attribution of one prompt at its last position: how much each component writes along the
/// metric's unembedding direction (`W_U[:, answer] − W_U[:, wrong]`), through the cached final norm scale.
public struct LogitAttribution: Sendable, Encodable {
    /// Sublayer labels (`embed`, `pos_embed`, `0_attn_out`, `0_mlp_out`, …), TransformerLens's `decompose_resid`.
    public let layerLabels: [String]
    /// The attribution of each sublayer.
    public let layerValues: [Float]
    /// `[n_layers][n_heads]`: the attribution of each head's output (`stack_head_results`).
    public let headValues: [[Float]]

    /// The `count` heads with the largest attribution by magnitude, best first.
    public func topHeads(_ count: Int) -> [AttentionHead] { AttentionHead.top(count, of: headValues, byMagnitude: true) }

    /// The sublayer with the largest attribution by magnitude.
    public var topLayer: (label: String, value: Float) {
        let best = layerValues.indices.max { Swift.abs(layerValues[$0]) < Swift.abs(layerValues[$1]) } ?? 0
        return (layerLabels[best], layerValues[best])
    }
}

extension ActivationCache {
    /// Direct logit attribution of a cached batch-of-one run (cache with the embeddings, every sublayer output,
    /// `hook_z` and `ln_final.hook_scale`) to `answer` (minus `wrong`) at the last position.
    public func logitAttribution(answer: Int, wrong: Int? = nil) throws -> LogitAttribution {
        let incorrect = wrong.map { TokenInput.id($0) }
        let (layers, labels) = try layerAttribution(tokens: .id(answer), incorrectTokens: incorrect, posSlice: -1)
        let (heads, _) = try headAttribution(tokens: .id(answer), incorrectTokens: incorrect, posSlice: -1)
        let n = model.config.nHeads
        let flat = heads.contiguous().scalars
        let headRows = (0..<model.config.nLayers).map { Array(flat[($0 * n)..<(($0 + 1) * n)]) }
        return LogitAttribution(layerLabels: labels, layerValues: layers.contiguous().scalars, headValues: headRows)
    }
}
