/// Element counts of a forward pass's activations for one batch row of `context` tokens, from the config alone
/// (what `MemoryPlan` multiplies by the batch and 4 bytes).
struct ActivationSizes {
    let config: ModelConfig
    let context: Int

    /// Every hook point with the elements it holds per batch row, in forward order (the optional hooks off).
    var hooks: [(name: String, elements: Int)] {
        let c = config, t = context, d = c.dModel, dh = c.dHead, n = c.nHeads, kv = c.keyValueHeads
        let hasNorm = c.normalizationType != .none
        func norm(_ name: String, width: Int = d) -> [(String, Int)] {
            hasNorm ? [(name + ".hook_scale", t), (name + ".hook_normalized", t * width)] : []
        }
        var out: [(String, Int)] = [("hook_embed", t * d)]
        if c.positionalEmbeddingType == .standard { out.append(("hook_pos_embed", t * d)) }
        for l in 0..<c.nLayers {
            let p = "blocks.\(l)", a = p + ".attn"
            out.append((p + ".hook_resid_pre", t * d))
            out += norm(p + ".ln1")
            out += [(a + ".hook_q", t * n * dh), (a + ".hook_k", t * kv * dh), (a + ".hook_v", t * kv * dh)]
            if c.useQKNorm {
                out += [(a + ".q_norm.hook_scale", t * n), (a + ".q_norm.hook_normalized", t * n * dh),
                        (a + ".k_norm.hook_scale", t * kv), (a + ".k_norm.hook_normalized", t * kv * dh)]
            }
            if c.positionalEmbeddingType == .rotary {
                out += [(a + ".hook_rot_q", t * n * dh), (a + ".hook_rot_k", t * kv * dh)]
            }
            out += [(a + ".hook_attn_scores", n * t * t), (a + ".hook_pattern", n * t * t), (a + ".hook_z", t * n * dh)]
            if c.useNormalizationBeforeAndAfter { out += norm(p + ".ln1_post") }
            out.append((p + ".hook_attn_out", t * d))
            if !c.attnOnly, let m = c.dMLP {
                if !c.parallelAttnMLP { out.append((p + ".hook_resid_mid", t * d)) }
                out += norm(p + ".ln2")
                out.append((p + ".mlp.hook_pre", t * m))
                if c.gatedMLP { out.append((p + ".mlp.hook_pre_linear", t * m)) }
                out.append((p + ".mlp.hook_post", t * m))
                if c.useNormalizationBeforeAndAfter { out += norm(p + ".ln2_post") }
                out.append((p + ".hook_mlp_out", t * d))
            }
            out.append((p + ".hook_resid_post", t * d))
        }
        out += norm("ln_final")
        return out + [("unembed.hook_in", t * d), ("unembed.hook_out", t * c.dVocabOut)]
    }

    /// Elements the cache `selection` holds per batch row.
    func cacheElements(_ selection: MemoryPlan.CacheSelection) -> Int {
        switch selection {
        case .none: return 0
        case .all: return hooks.reduce(0) { $0 + $1.elements }
        case .hooks(let names):
            return hooks.filter { hook in names.contains { hook.name == $0 || hook.name.hasSuffix("." + $0) } }
                .reduce(0) { $0 + $1.elements }
        }
    }

    /// Elements live at the peak of one forward pass per batch row: the residual stream and its norm (four
    /// `d_model` rows), one block's projections, rotated queries and keys, scores and pattern, `z`, the MLP hidden
    /// layer (three rows when gated), the logits, and with 16-bit weights the widening buffer of the largest product.
    func forwardElements(scratch: Bool) -> Int {
        let c = config, t = context, d = c.dModel, dh = c.dHead, n = c.nHeads, kv = c.keyValueHeads
        let m = c.attnOnly ? 0 : c.dMLP ?? 0
        let attention = t * ((n + 2 * kv) * dh + (n + kv) * dh + n * dh) + 2 * n * t * t
        let mlp = t * m * (c.gatedMLP ? 3 : 2)
        let widening = scratch && t > 16 ? max(d, m, n * dh) * 512 : 0
        return t * 4 * d + max(attention, mlp) + t * c.dVocabOut + widening
    }
}
