/// TransformerLens's weight properties: every layer's weight stacked along a leading `n_layers` axis.
/// Grouped-query keys and values are repeated to every query head, as TransformerLens's `W_K` / `W_V` do.
extension HookedTransformer {
    /// Token embedding `[d_vocab, d_model]`.
    public var W_E: Tensor { embed.W_E }
    /// Learned positions `[n_ctx, d_model]`; throws for rotary models.
    public var W_pos: Tensor {
        get throws {
            guard let posEmbed else { throw LensError.missingWeight("W_pos", reason: "positions are rotary") }
            return posEmbed.W_pos
        }
    }
    /// `W_E` and `W_pos` stacked `[d_vocab + n_ctx, d_model]`; throws for rotary models.
    public var W_E_pos: Tensor { get throws { Tensor.concat([W_E, try W_pos], axis: 0) } }
    /// Unembedding `[d_model, d_vocab_out]`.
    public var W_U: Tensor { unembed.W_U }
    /// Unembedding bias `[d_vocab_out]`.
    public var b_U: Tensor { unembed.b_U }

    /// Queries `[n_layers, n_heads, d_model, d_head]`.
    public var W_Q: Tensor { stacked { $0.attn.W_Q } }
    /// Keys `[n_layers, n_heads, d_model, d_head]` (grouped heads repeated).
    public var W_K: Tensor { stacked { $0.attn.W_K } }
    /// Values `[n_layers, n_heads, d_model, d_head]` (grouped heads repeated).
    public var W_V: Tensor { stacked { $0.attn.W_V } }
    /// Head outputs `[n_layers, n_heads, d_head, d_model]`.
    public var W_O: Tensor { stacked { $0.attn.W_O } }
    /// Query biases `[n_layers, n_heads, d_head]`.
    public var b_Q: Tensor { stacked { $0.attn.b_Q } }
    /// Key biases `[n_layers, n_heads, d_head]` (grouped heads repeated).
    public var b_K: Tensor { stacked { $0.attn.b_K } }
    /// Value biases `[n_layers, n_heads, d_head]` (grouped heads repeated).
    public var b_V: Tensor { stacked { $0.attn.b_V } }
    /// Attention output biases `[n_layers, d_model]`.
    public var b_O: Tensor { stacked { $0.attn.b_O } }

    /// MLP input weights `[n_layers, d_model, d_mlp]`; throws for attention-only models.
    public var W_in: Tensor { get throws { try stackedMLP("W_in") { $0.W_in } } }
    /// MLP output weights `[n_layers, d_mlp, d_model]`; throws for attention-only models.
    public var W_out: Tensor { get throws { try stackedMLP("W_out") { $0.W_out } } }
    /// MLP input biases `[n_layers, d_mlp]`; throws for attention-only models.
    public var b_in: Tensor { get throws { try stackedMLP("b_in") { $0.b_in } } }
    /// MLP output biases `[n_layers, d_model]`; throws for attention-only models.
    public var b_out: Tensor { get throws { try stackedMLP("b_out") { $0.b_out } } }
    /// Gate weights `[n_layers, d_model, d_mlp]` of a gated MLP, nil otherwise (TransformerLens returns None).
    public var W_gate: Tensor? {
        guard config.gatedMLP, blocks.allSatisfy({ $0.mlp is GatedMLP }) else { return nil }
        return stacked { ($0.mlp as! GatedMLP).W_gate }
    }

    /// The QK circuit of every head, `W_Q · W_Kᵀ` `[n_layers, n_heads, d_model, d_model]`, kept factored.
    public var QK: FactoredMatrix { FactoredMatrix(W_Q, W_K.transposed(-2, -1)) }
    /// The OV circuit of every head, `W_V · W_O` `[n_layers, n_heads, d_model, d_model]`, kept factored.
    public var OV: FactoredMatrix { FactoredMatrix(W_V, W_O) }

    /// Labels `L0H0, L0H1, …` of every head in layer-major order (`all_head_labels`).
    public var allHeadLabels: [String] {
        (0..<config.nLayers).flatMap { l in (0..<config.nHeads).map { "L\(l)H\($0)" } }
    }

    /// The sum of the output biases written to the residual before the input of `layer` (0…n_layers):
    /// every `b_O` (and `b_out` with `includeMLPBiases`) of the earlier blocks, plus this block's `b_O`
    /// with `mlpInput`. Shape `[d_model]`.
    public func accumulatedBias(layer: Int, mlpInput: Bool = false, includeMLPBiases: Bool = true) throws -> Tensor {
        guard layer >= 0, layer <= config.nLayers, !(mlpInput && layer == config.nLayers) else {
            throw LensError.invalidArgument("accumulatedBias layer \(layer) (mlpInput \(mlpInput)) for \(config.nLayers) layers")
        }
        var total = Tensor(zeros: [config.dModel])
        for block in blocks[0..<layer] {
            total = total + block.attn.b_O
            if includeMLPBiases, let mlp = block.mlp { total = total + mlp.b_out }
        }
        if mlpInput { total = total + blocks[layer].attn.b_O }
        return total
    }

    private func stacked(_ weight: (TransformerBlock) -> Tensor) -> Tensor {
        Tensor.stack(blocks.map(weight), axis: 0)
    }

    private func stackedMLP(_ name: String, _ weight: (any MLPLayer) -> Tensor) throws -> Tensor {
        let layers = blocks.compactMap(\.mlp)
        guard layers.count == blocks.count else { throw LensError.missingWeight(name, reason: "the model is attention-only") }
        return Tensor.stack(layers.map(weight), axis: 0)
    }
}
