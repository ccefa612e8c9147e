/// OPT (`OPTForCausalLM`, pre-norm variants): learned positions whose first two rows are an offset
/// TransformerLens drops, `fc1` / `fc2` MLP, optional biases (`enable_bias`).
enum OPTWeights {
    /// TransformerLens state dict of an OPT checkpoint.
    static func convert(_ r: CheckpointReader, _ hf: HuggingFaceDescription) throws -> StateDict {
        let c = hf.config, d = c.dModel, n = c.nHeads, m = c.dMLP ?? 4 * d
        let p = r.prefix(["model.decoder.", "decoder."], probe: "embed_tokens.weight")
        var sd = StateDict(source: r.folder.path)
        func bias(_ name: String, _ size: Int) throws -> Tensor? {
            hf.attentionBias ? try r.tensor(name, shape: [size]) : nil
        }
        func norm(_ name: String, _ target: String) throws {
            sd[target + ".w"] = try r.optionalTensor(name + ".weight", shape: [d]) ?? Tensor.ones([d])
            sd[target + ".b"] = try r.optionalTensor(name + ".bias", shape: [d]) ?? Tensor(zeros: [d])
        }
        let embedding = try r.tensor(p + "embed_tokens.weight", shape: [c.dVocab, d])
        sd["embed.W_E"] = embedding
        sd["pos_embed.W_pos"] = try r.tensor(p + "embed_positions.weight", shape: [c.nCtx + 2, d])[2...]
        for l in 0..<c.nLayers {
            let h = "\(p)layers.\(l).", t = "blocks.\(l)"
            try norm(h + "self_attn_layer_norm", "\(t).ln1")
            for letter in ["q", "k", "v"] {
                let name = h + "self_attn.\(letter)_proj"
                let weight = try r.tensor(name + ".weight", shape: [d, d])
                sd.setProjection("\(t).attn", letter.uppercased(), weight: weight, bias: try bias(name + ".bias", d),
                                 heads: n)
            }
            let output = try r.tensor(h + "self_attn.out_proj.weight", shape: [d, d])
            sd["\(t).attn.W_O"] = HeadLayout.outputHeads(output, heads: n)
            sd["\(t).attn.b_O"] = try bias(h + "self_attn.out_proj.bias", d) ?? Tensor(zeros: [d])
            try norm(h + "final_layer_norm", "\(t).ln2")
            sd["\(t).mlp.W_in"] = try r.tensor(h + "fc1.weight", shape: [m, d]).T
            sd["\(t).mlp.b_in"] = try bias(h + "fc1.bias", m) ?? Tensor(zeros: [m])
            sd["\(t).mlp.W_out"] = try r.tensor(h + "fc2.weight", shape: [d, m]).T
            sd["\(t).mlp.b_out"] = try bias(h + "fc2.bias", d) ?? Tensor(zeros: [d])
        }
        try norm(p + "final_layer_norm", "ln_final")
        sd["unembed.W_U"] = try r.unembedding(hf, embedding: embedding).T
        sd["unembed.b_U"] = Tensor(zeros: [c.dVocabOut])
        return sd
    }
}
