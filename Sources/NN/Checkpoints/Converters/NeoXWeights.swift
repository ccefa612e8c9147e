/// GPT-NeoX / Pythia (`GPTNeoXForCausalLM`): fused `query_key_value` interleaved per head `(head, qkv, d_head)`.
enum NeoXWeights {
    /// TransformerLens state dict of a GPT-NeoX checkpoint.
    static func convert(_ r: CheckpointReader, _ hf: HuggingFaceDescription) throws -> StateDict {
        let c = hf.config, d = c.dModel, n = c.nHeads, dh = c.dHead, m = c.dMLP ?? 4 * d
        var sd = StateDict(source: r.folder.path)
        let embedding = try r.tensor("gpt_neox.embed_in.weight", shape: [c.dVocab, d])
        sd["embed.W_E"] = embedding
        for l in 0..<c.nLayers {
            let h = "gpt_neox.layers.\(l).", t = "blocks.\(l)"
            sd["\(t).ln1.w"] = try r.tensor(h + "input_layernorm.weight", shape: [d])
            sd["\(t).ln1.b"] = try r.tensor(h + "input_layernorm.bias", shape: [d])
            // "(i qkv h) m -> qkv i m h"
            let qkv = try r.tensor(h + "attention.query_key_value.weight", shape: [3 * d, d]).reshaped([n, 3, dh, d])
            let bias = try r.optionalTensor(h + "attention.query_key_value.bias", shape: [3 * d])?.reshaped([n, 3, dh])
            if hf.attentionBias, bias == nil {
                throw CheckpointError.missingTensor(h + "attention.query_key_value.bias", file: r.folder.path)
            }
            for (i, letter) in ["Q", "K", "V"].enumerated() {
                sd["\(t).attn.W_\(letter)"] = qkv[.all, i].permuted([0, 2, 1])
                sd["\(t).attn.b_\(letter)"] = bias?[.all, i] ?? Tensor(zeros: [n, dh])
            }
            let output = try r.tensor(h + "attention.dense.weight", shape: [d, d])
            sd["\(t).attn.W_O"] = HeadLayout.outputHeads(output, heads: n)
            sd["\(t).attn.b_O"] = try r.optionalTensor(h + "attention.dense.bias", shape: [d]) ?? Tensor(zeros: [d])
            sd["\(t).ln2.w"] = try r.tensor(h + "post_attention_layernorm.weight", shape: [d])
            sd["\(t).ln2.b"] = try r.tensor(h + "post_attention_layernorm.bias", shape: [d])
            sd["\(t).mlp.W_in"] = try r.tensor(h + "mlp.dense_h_to_4h.weight", shape: [m, d]).T
            sd["\(t).mlp.b_in"] = try r.tensor(h + "mlp.dense_h_to_4h.bias", shape: [m])
            sd["\(t).mlp.W_out"] = try r.tensor(h + "mlp.dense_4h_to_h.weight", shape: [d, m]).T
            sd["\(t).mlp.b_out"] = try r.tensor(h + "mlp.dense_4h_to_h.bias", shape: [d])
        }
        sd["ln_final.w"] = try r.tensor("gpt_neox.final_layer_norm.weight", shape: [d])
        sd["ln_final.b"] = try r.tensor("gpt_neox.final_layer_norm.bias", shape: [d])
        let head = r.has("embed_out.weight") ? "embed_out.weight" : "lm_head.weight"
        sd["unembed.W_U"] = try r.unembedding(hf, embedding: embedding, name: head).T
        sd["unembed.b_U"] = Tensor(zeros: [c.dVocabOut])
        return sd
    }
}
