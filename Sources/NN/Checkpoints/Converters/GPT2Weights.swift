/// GPT-2 (`GPT2LMHeadModel`): Conv1D weights stored `[in, out]`, fused `c_attn` `[d, 3d]`.
enum GPT2Weights {
    /// TransformerLens state dict of a GPT-2 checkpoint.
    static func convert(_ r: CheckpointReader, _ hf: HuggingFaceDescription) throws -> StateDict {
        let c = hf.config, d = c.dModel, n = c.nHeads, dh = c.dHead, m = c.dMLP ?? 4 * d
        let p = r.prefix(["transformer.", ""], probe: "wte.weight")
        var sd = StateDict(source: r.folder.path)
        let wte = try r.tensor(p + "wte.weight", shape: [c.dVocab, d])
        sd["embed.W_E"] = wte
        sd["pos_embed.W_pos"] = try r.tensor(p + "wpe.weight", shape: [c.nCtx, d])
        for l in 0..<c.nLayers {
            let h = "\(p)h.\(l).", t = "blocks.\(l)"
            sd["\(t).ln1.w"] = try r.tensor(h + "ln_1.weight", shape: [d])
            sd["\(t).ln1.b"] = try r.tensor(h + "ln_1.bias", shape: [d])
            let qkv = try r.tensor(h + "attn.c_attn.weight", shape: [d, 3 * d])
            let qkvBias = try r.tensor(h + "attn.c_attn.bias", shape: [3 * d]).reshaped([3, n, dh])
            for (i, letter) in ["Q", "K", "V"].enumerated() {
                // "m (i h) -> i m h"
                let columns = qkv[.all, (i * d)..<((i + 1) * d)]
                sd["\(t).attn.W_\(letter)"] = columns.reshaped([d, n, dh]).permuted([1, 0, 2])
                sd["\(t).attn.b_\(letter)"] = qkvBias[i]
            }
            sd["\(t).attn.W_O"] = try r.tensor(h + "attn.c_proj.weight", shape: [d, d]).reshaped([n, dh, d])
            sd["\(t).attn.b_O"] = try r.tensor(h + "attn.c_proj.bias", shape: [d])
            sd["\(t).ln2.w"] = try r.tensor(h + "ln_2.weight", shape: [d])
            sd["\(t).ln2.b"] = try r.tensor(h + "ln_2.bias", shape: [d])
            sd["\(t).mlp.W_in"] = try r.tensor(h + "mlp.c_fc.weight", shape: [d, m])
            sd["\(t).mlp.b_in"] = try r.tensor(h + "mlp.c_fc.bias", shape: [m])
            sd["\(t).mlp.W_out"] = try r.tensor(h + "mlp.c_proj.weight", shape: [m, d])
            sd["\(t).mlp.b_out"] = try r.tensor(h + "mlp.c_proj.bias", shape: [d])
        }
        sd["ln_final.w"] = try r.tensor(p + "ln_f.weight", shape: [d])
        sd["ln_final.b"] = try r.tensor(p + "ln_f.bias", shape: [d])
        sd["unembed.W_U"] = try r.unembedding(hf, embedding: wte).T
        sd["unembed.b_U"] = Tensor(zeros: [c.dVocabOut])
        return sd
    }
}
