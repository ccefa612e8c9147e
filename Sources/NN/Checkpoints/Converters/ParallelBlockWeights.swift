/// Phi and GPT-J: one LayerNorm feeds the parallel attention and MLP, so TransformerLens stores it as both
/// `ln1` and `ln2`; separate `q_proj`, `k_proj`, `v_proj`; `lm_head` with a bias.
enum ParallelBlockWeights {
    /// TransformerLens state dict of a Phi (`PhiForCausalLM`) checkpoint.
    static func phi(_ r: CheckpointReader, _ hf: HuggingFaceDescription) throws -> StateDict {
        let c = hf.config, d = c.dModel, m = c.dMLP ?? 4 * d
        var sd = StateDict(source: r.folder.path)
        sd["embed.W_E"] = try r.tensor("model.embed_tokens.weight", shape: [c.dVocab, d])
        for l in 0..<c.nLayers {
            let h = "model.layers.\(l).", t = "blocks.\(l)"
            try sharedNorm(r, h + "input_layernorm", block: t, d: d, into: &sd)
            try projections(r, hf, h + "self_attn.", block: t, output: "dense", bias: true, into: &sd)
            sd["\(t).mlp.W_in"] = try r.tensor(h + "mlp.fc1.weight", shape: [m, d]).T
            sd["\(t).mlp.b_in"] = try r.tensor(h + "mlp.fc1.bias", shape: [m])
            sd["\(t).mlp.W_out"] = try r.tensor(h + "mlp.fc2.weight", shape: [d, m]).T
            sd["\(t).mlp.b_out"] = try r.tensor(h + "mlp.fc2.bias", shape: [d])
        }
        sd["ln_final.w"] = try r.tensor("model.final_layernorm.weight", shape: [d])
        sd["ln_final.b"] = try r.tensor("model.final_layernorm.bias", shape: [d])
        try head(r, c, into: &sd)
        return sd
    }

    /// TransformerLens state dict of a GPT-J (`GPTJForCausalLM`) checkpoint.
    static func gptj(_ r: CheckpointReader, _ hf: HuggingFaceDescription) throws -> StateDict {
        let c = hf.config, d = c.dModel, m = c.dMLP ?? 4 * d
        var sd = StateDict(source: r.folder.path)
        sd["embed.W_E"] = try r.tensor("transformer.wte.weight", shape: [c.dVocab, d])
        for l in 0..<c.nLayers {
            let h = "transformer.h.\(l).", t = "blocks.\(l)"
            try sharedNorm(r, h + "ln_1", block: t, d: d, into: &sd)
            try projections(r, hf, h + "attn.", block: t, output: "out_proj", bias: false, into: &sd)
            sd["\(t).mlp.W_in"] = try r.tensor(h + "mlp.fc_in.weight", shape: [m, d]).T
            sd["\(t).mlp.b_in"] = try r.tensor(h + "mlp.fc_in.bias", shape: [m])
            sd["\(t).mlp.W_out"] = try r.tensor(h + "mlp.fc_out.weight", shape: [d, m]).T
            sd["\(t).mlp.b_out"] = try r.tensor(h + "mlp.fc_out.bias", shape: [d])
        }
        sd["ln_final.w"] = try r.tensor("transformer.ln_f.weight", shape: [d])
        sd["ln_final.b"] = try r.tensor("transformer.ln_f.bias", shape: [d])
        try head(r, c, into: &sd)
        return sd
    }

    /// The one LayerNorm `norm` stored as both `ln1` and `ln2` of `block`.
    private static func sharedNorm(_ r: CheckpointReader, _ norm: String, block: String, d: Int,
                                   into sd: inout StateDict) throws {
        let w = try r.tensor(norm + ".weight", shape: [d]), b = try r.tensor(norm + ".bias", shape: [d])
        (sd["\(block).ln1.w"], sd["\(block).ln1.b"], sd["\(block).ln2.w"], sd["\(block).ln2.b"]) = (w, b, w, b)
    }

    /// `q_proj`, `k_proj`, `v_proj` and the output projection `output` under `prefix`.
    private static func projections(_ r: CheckpointReader, _ hf: HuggingFaceDescription, _ prefix: String,
                                    block: String, output: String, bias: Bool, into sd: inout StateDict) throws {
        let c = hf.config, d = c.dModel, dh = c.dHead, n = c.nHeads, kv = c.keyValueHeads
        for (letter, heads) in [("q", n), ("k", kv), ("v", kv)] {
            let name = prefix + letter + "_proj"
            let weight = try r.tensor(name + ".weight", shape: [heads * dh, d])
            sd.setProjection("\(block).attn", letter.uppercased(), weight: weight,
                             bias: bias ? try r.tensor(name + ".bias", shape: [heads * dh]) : nil, heads: heads,
                             grouped: letter != "q" && c.usesGroupedNames)
        }
        let outputWeight = try r.tensor(prefix + output + ".weight", shape: [d, n * dh])
        sd["\(block).attn.W_O"] = HeadLayout.outputHeads(outputWeight, heads: n)
        sd["\(block).attn.b_O"] = bias ? try r.tensor(prefix + output + ".bias", shape: [d]) : Tensor(zeros: [d])
    }

    /// `lm_head.weight` and `lm_head.bias` as `unembed.W_U`, `unembed.b_U`.
    private static func head(_ r: CheckpointReader, _ c: ModelConfig, into sd: inout StateDict) throws {
        sd["unembed.W_U"] = try r.tensor("lm_head.weight", shape: [c.dVocabOut, c.dModel]).T
        sd["unembed.b_U"] = try r.tensor("lm_head.bias", shape: [c.dVocabOut])
    }
}
