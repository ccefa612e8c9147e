/// Llama, Mistral, Qwen2 and Qwen3 (`model.layers.L.self_attn.{q,k,v,o}_proj`, `mlp.{gate,up,down}_proj`,
/// RMSNorm gains `input_layernorm` / `post_attention_layernorm`).
enum LlamaWeights {
    /// TransformerLens state dict of a Llama-family checkpoint.
    static func convert(_ r: CheckpointReader, _ hf: HuggingFaceDescription) throws -> StateDict {
        let c = hf.config, d = c.dModel
        var sd = StateDict(source: r.folder.path)
        let embedding = try r.tensor("model.embed_tokens.weight", shape: [c.dVocab, d])
        sd["embed.W_E"] = embedding
        for l in 0..<c.nLayers {
            let h = "model.layers.\(l).", t = "blocks.\(l)"
            sd["\(t).ln1.w"] = try r.tensor(h + "input_layernorm.weight", shape: [d])
            try attention(r, hf, layer: l, into: &sd)
            if c.useQKNorm {
                sd["\(t).attn.q_norm.w"] = try r.tensor(h + "self_attn.q_norm.weight", shape: [c.dHead])
                sd["\(t).attn.k_norm.w"] = try r.tensor(h + "self_attn.k_norm.weight", shape: [c.dHead])
            }
            sd["\(t).ln2.w"] = try r.tensor(h + "post_attention_layernorm.weight", shape: [d])
            try gatedMLP(r, hf, layer: l, into: &sd)
        }
        sd["ln_final.w"] = try r.tensor("model.norm.weight", shape: [d])
        sd["unembed.W_U"] = try r.unembedding(hf, embedding: embedding).T
        sd["unembed.b_U"] = Tensor(zeros: [c.dVocabOut])
        return sd
    }

    /// `q_proj`, `k_proj`, `v_proj`, `o_proj` of `layer` (biases when the config has them) as TransformerLens
    /// `W_Q`, `W_K`/`_W_K`, `W_V`/`_W_V`, `W_O` and biases.
    static func attention(_ r: CheckpointReader, _ hf: HuggingFaceDescription, layer: Int,
                          into sd: inout StateDict) throws {
        let c = hf.config, d = c.dModel, dh = c.dHead, n = c.nHeads, kv = c.keyValueHeads
        let h = "model.layers.\(layer).self_attn.", t = "blocks.\(layer).attn"
        func bias(_ name: String, _ size: Int) throws -> Tensor? {
            hf.attentionBias ? try r.tensor(h + name, shape: [size]) : nil
        }
        sd.setProjection(t, "Q", weight: try r.tensor(h + "q_proj.weight", shape: [n * dh, d]),
                         bias: try bias("q_proj.bias", n * dh), heads: n)
        sd.setProjection(t, "K", weight: try r.tensor(h + "k_proj.weight", shape: [kv * dh, d]),
                         bias: try bias("k_proj.bias", kv * dh), heads: kv, grouped: c.usesGroupedNames)
        sd.setProjection(t, "V", weight: try r.tensor(h + "v_proj.weight", shape: [kv * dh, d]),
                         bias: try bias("v_proj.bias", kv * dh), heads: kv, grouped: c.usesGroupedNames)
        sd["\(t).W_O"] = HeadLayout.outputHeads(try r.tensor(h + "o_proj.weight", shape: [d, n * dh]), heads: n)
        let outputBias = hf.attentionBias && hf.architecture != .qwen2
        sd["\(t).b_O"] = outputBias ? try r.tensor(h + "o_proj.bias", shape: [d]) : Tensor(zeros: [d])
    }

    /// `gate_proj`, `up_proj`, `down_proj` of `layer` as TransformerLens `W_gate`, `W_in`, `W_out` (zero biases).
    static func gatedMLP(_ r: CheckpointReader, _ hf: HuggingFaceDescription, layer: Int,
                         into sd: inout StateDict) throws {
        let c = hf.config, d = c.dModel, m = c.dMLP ?? 0
        let h = "model.layers.\(layer).mlp.", t = "blocks.\(layer).mlp"
        sd["\(t).W_in"] = try r.tensor(h + "up_proj.weight", shape: [m, d]).T
        sd["\(t).W_gate"] = try r.tensor(h + "gate_proj.weight", shape: [m, d]).T
        sd["\(t).b_in"] = Tensor(zeros: [m])
        sd["\(t).W_out"] = try r.tensor(h + "down_proj.weight", shape: [d, m]).T
        sd["\(t).b_out"] = Tensor(zeros: [d])
    }
}
