extension HookedTransformer {
    /// Every hook point of this model in the order a forward pass reaches them (the key order of a full
    /// TransformerLens activation cache), with the optional ones the config's flags turn on.
    public var hookPointNames: [String] { hookPointNames(config) }

    /// Every hook point this architecture can have, the optional ones (`hook_result`, `hook_attn_in`,
    /// `hook_q_input`, `hook_k_input`, `hook_v_input`, `hook_mlp_in`) included whatever the flags say
    /// (`hook_attn_in` only without grouped key/value heads), in forward order.
    public var allHookPointNames: [String] {
        var all = config
        (all.useAttnResult, all.useSplitQKVInput, all.useHookMLPIn) = (true, true, !all.attnOnly)
        all.useAttnIn = all.nKeyValueHeads == nil
        return hookPointNames(all)
    }

    private func hookPointNames(_ config: ModelConfig) -> [String] {
        var names = ["hook_embed"]
        if posEmbed != nil { names.append("hook_pos_embed") }
        for block in blocks { names += block.hookPointNames(config) }
        if let lnFinal { names += normHooks(lnFinal.name) }
        return names + ["unembed.hook_in", "unembed.hook_out"]
    }
}

/// `NAME.hook_scale`, `NAME.hook_normalized`.
private func normHooks(_ name: String) -> [String] { [name + ".hook_scale", name + ".hook_normalized"] }

extension TransformerBlock {
    /// The block's hook points in forward order.
    func hookPointNames(_ config: ModelConfig) -> [String] {
        var names = [name + ".hook_resid_pre"]
        if config.useAttnIn { names.append(name + ".hook_attn_in") }
        if config.useSplitQKVInput { names += ["hook_q_input", "hook_k_input", "hook_v_input"].map { "\(name).\($0)" } }
        if let ln1 { names += normHooks(ln1.name) }
        let a = attn.name
        names += [".hook_q", ".hook_k", ".hook_v"].map { a + $0 }
        if let qNorm = attn.qNorm, let kNorm = attn.kNorm { names += normHooks(qNorm.name) + normHooks(kNorm.name) }
        if attn.rotary != nil { names += [a + ".hook_rot_q", a + ".hook_rot_k"] }
        names += [".hook_attn_scores", ".hook_pattern", ".hook_z"].map { a + $0 }
        if config.useAttnResult { names.append(a + ".hook_result") }
        if let ln1Post { names += normHooks(ln1Post.name) }
        names.append(name + ".hook_attn_out")
        guard let mlp else { return names + [name + ".hook_resid_post"] }
        if !parallel { names.append(name + ".hook_resid_mid") }
        if config.useHookMLPIn { names.append(name + ".hook_mlp_in") }
        if let ln2 { names += normHooks(ln2.name) }
        names.append(mlp.name + ".hook_pre")
        if mlp is GatedMLP { names.append(mlp.name + ".hook_pre_linear") }
        names.append(mlp.name + ".hook_post")
        if let ln2Post { names += normHooks(ln2Post.name) }
        return names + [name + ".hook_mlp_out", name + ".hook_resid_post"]
    }
}
