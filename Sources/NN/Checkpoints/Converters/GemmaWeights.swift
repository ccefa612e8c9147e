/// Gemma and Gemma 2: Llama layout, but RMSNorm gains stored as `w` for `(1 + w)`, the embedding scaled by
/// `sqrt(d_model)` on the way in (not out), and Gemma 2's sandwich norms (`post_attention_layernorm` after
/// attention, `pre_feedforward_layernorm` / `post_feedforward_layernorm` around the MLP).
enum GemmaWeights {
    /// TransformerLens state dict of a Gemma checkpoint.
    static func convert(_ r: CheckpointReader, _ hf: HuggingFaceDescription) throws -> StateDict {
        let c = hf.config, d = c.dModel
        var sd = StateDict(source: r.folder.path)
        func gain(_ name: String) throws -> Tensor { try r.tensor(name, shape: [d]) + 1 }
        let embedding = try r.tensor("model.embed_tokens.weight", shape: [c.dVocab, d])
        sd["embed.W_E"] = embedding * Float(d).squareRoot()
        for l in 0..<c.nLayers {
            let h = "model.layers.\(l).", t = "blocks.\(l)"
            sd["\(t).ln1.w"] = try gain(h + "input_layernorm.weight")
            try LlamaWeights.attention(r, hf, layer: l, into: &sd)
            if c.useNormalizationBeforeAndAfter {
                sd["\(t).ln1_post.w"] = try gain(h + "post_attention_layernorm.weight")
                sd["\(t).ln2.w"] = try gain(h + "pre_feedforward_layernorm.weight")
                sd["\(t).ln2_post.w"] = try gain(h + "post_feedforward_layernorm.weight")
            } else {
                sd["\(t).ln2.w"] = try gain(h + "post_attention_layernorm.weight")
            }
            try LlamaWeights.gatedMLP(r, hf, layer: l, into: &sd)
        }
        sd["ln_final.w"] = try gain("model.norm.weight")
        sd["unembed.W_U"] = try r.unembedding(hf, embedding: embedding).T
        sd["unembed.b_U"] = Tensor(zeros: [c.dVocabOut])
        return sd
    }
}
