import Foundation

extension HookedTransformer {
    /// The model's weights under TransformerLens names and shapes (what `init(config:stateDict:)` reads back):
    /// `embed.W_E`, `pos_embed.W_pos`, per block the norms, `attn.W_Q`, `attn.W_K` / `attn._W_K`, ... and
    /// `unembed.W_U`, `unembed.b_U`. Folded norms have no weights.
    public var stateDict: StateDict {
        var sd = StateDict()
        sd["embed.W_E"] = embed.W_E
        if let posEmbed { sd["pos_embed.W_pos"] = posEmbed.W_pos }
        let mark = config.usesGroupedNames ? "_" : ""
        for block in blocks {
            let p = block.name, a = block.attn
            for norm in [block.ln1, block.ln1Post, block.ln2, block.ln2Post, a.qNorm, a.kNorm].compactMap({ $0 }) {
                sd.storeWeights(of: norm)
            }
            sd["\(p).attn.W_Q"] = a.W_Q
            sd["\(p).attn.\(mark)W_K"] = a.W_K_grouped
            sd["\(p).attn.\(mark)W_V"] = a.W_V_grouped
            sd["\(p).attn.W_O"] = a.W_O
            sd["\(p).attn.b_Q"] = a.b_Q
            sd["\(p).attn.\(mark)b_K"] = a.b_K_grouped
            sd["\(p).attn.\(mark)b_V"] = a.b_V_grouped
            sd["\(p).attn.b_O"] = a.b_O
            guard let mlp = block.mlp else { continue }
            if let gated = mlp as? GatedMLP { sd["\(p).mlp.W_gate"] = gated.W_gate }
            sd["\(p).mlp.W_in"] = mlp.W_in
            sd["\(p).mlp.b_in"] = mlp.b_in
            sd["\(p).mlp.W_out"] = mlp.W_out
            sd["\(p).mlp.b_out"] = mlp.b_out
        }
        if let lnFinal { sd.storeWeights(of: lnFinal) }
        sd["unembed.W_U"] = unembed.W_U
        sd["unembed.b_U"] = unembed.b_U
        return sd
    }

    /// This model with its weights processed (TransformerLens's `process_weights_`), e.g. a model loaded
    /// with `.none` turned into the `.default` one.
    public func processed(_ processing: WeightProcessing = .default) throws -> HookedTransformer {
        let (processedConfig, weights) = try processing.apply(to: stateDict, config: config)
        return try HookedTransformer(config: processedConfig, stateDict: weights)
    }
}

extension StateDict {
    /// Stores `norm`'s gain (and LayerNorm bias) as `NAME.w` (`NAME.b`).
    mutating func storeWeights(of norm: any NormalizationLayer) {
        if let layerNorm = norm as? LayerNorm {
            self[norm.name + ".w"] = layerNorm.w
            self[norm.name + ".b"] = layerNorm.b
        } else if let rmsNorm = norm as? RMSNorm {
            self[norm.name + ".w"] = rmsNorm.w
        }
    }

    /// Writes every tensor, in order and as stored, to a safetensors file at `url`.
    public func write(to url: URL, metadata: [String: String] = [:]) throws {
        let tensors = names.compactMap { name in self[name].map { (name, $0) } }
        try SafetensorsFile.write(tensors, metadata: metadata, to: url.path)
    }
}
