/// One transformer block, sequential (`resid_mid = resid_pre + attn(ln1(resid_pre))`,
/// `resid_post = resid_mid + mlp(ln2(resid_mid))`) or parallel (`resid_post = resid_pre + attn(ln1(resid_pre))
/// + mlp(ln2(resid_pre))`), with Gemma 2's optional `ln1_post` / `ln2_post` on the sublayer outputs.
public struct TransformerBlock: Sendable {
    /// Index of the block.
    public let layer: Int
    /// TransformerLens path of the block, `blocks.L`.
    public let name: String
    /// Norm before attention (`blocks.L.ln1`), nil without normalisation.
    public let ln1: (any NormalizationLayer)?
    /// Norm on the attention output (`blocks.L.ln1_post`).
    public let ln1Post: (any NormalizationLayer)?
    /// The attention sublayer (`blocks.L.attn`).
    public let attn: Attention
    /// Norm before the MLP (`blocks.L.ln2`), nil without normalisation or MLP.
    public let ln2: (any NormalizationLayer)?
    /// Norm on the MLP output (`blocks.L.ln2_post`).
    public let ln2Post: (any NormalizationLayer)?
    /// The MLP sublayer (`blocks.L.mlp`), nil for attention-only models.
    public let mlp: (any MLPLayer)?
    /// Attention and MLP read the same residual.
    public let parallel: Bool

    /// A block from its modules.
    public init(layer: Int, ln1: (any NormalizationLayer)?, ln1Post: (any NormalizationLayer)?, attn: Attention,
                ln2: (any NormalizationLayer)?, ln2Post: (any NormalizationLayer)?, mlp: (any MLPLayer)?,
                parallel: Bool) {
        self.layer = layer
        name = "blocks.\(layer)"
        (self.ln1, self.ln1Post, self.attn) = (ln1, ln1Post, attn)
        (self.ln2, self.ln2Post, self.mlp, self.parallel) = (ln2, ln2Post, mlp, parallel)
    }

    /// `[batch, pos, d_model]` residual in, residual out.
    func forward(_ residPre: Tensor, context: ForwardContext) throws -> Tensor {
        let hooks = context.hooks
        let resid = try hooks(name + ".hook_resid_pre", residPre)
        var attnOut = try attention(resid, context: context)
        if let ln1Post { attnOut = try ln1Post.forward(attnOut, hooks: hooks.hooks) }
        attnOut = try hooks(name + ".hook_attn_out", attnOut)
        guard let mlp else { return try hooks(name + ".hook_resid_post", resid + attnOut) }
        let mlpBase = parallel ? resid : try hooks(name + ".hook_resid_mid", resid + attnOut)
        let mlpIn = context.config.useHookMLPIn ? try hooks(name + ".hook_mlp_in", mlpBase) : mlpBase
        var mlpOut = try mlp.forward(ln2?.forward(mlpIn, hooks: hooks.hooks) ?? mlpIn, hooks: hooks.hooks)
        if let ln2Post { mlpOut = try ln2Post.forward(mlpOut, hooks: hooks.hooks) }
        mlpOut = try hooks(name + ".hook_mlp_out", mlpOut)
        return try hooks(name + ".hook_resid_post", parallel ? resid + attnOut + mlpOut : mlpBase + mlpOut)
    }

    /// The block's output at the last position only, `[batch, 1, d_model]`, without hooks: keys and values
    /// from every position of `residPre`, queries, MLP and norms at the last (see `Attention.forwardLastQuery`).
    func forwardLastPosition(_ residPre: Tensor, context: ForwardContext) throws -> Tensor {
        let last = residPre[.all, (residPre.shape[1] - 1)...]
        var attnOut = try attn.forwardLastQuery(ln1?.forward(residPre, hooks: nil) ?? residPre, layer: layer,
                                                context: context)
        if let ln1Post { attnOut = try ln1Post.forward(attnOut, hooks: nil) }
        guard let mlp else { return last + attnOut }
        let mlpBase = parallel ? last : last + attnOut
        var mlpOut = try mlp.forward(ln2?.forward(mlpBase, hooks: nil) ?? mlpBase, hooks: nil)
        if let ln2Post { mlpOut = try ln2Post.forward(mlpOut, hooks: nil) }
        return parallel ? last + attnOut + mlpOut : mlpBase + mlpOut
    }

    /// The attention sublayer on `resid`, with per-head input copies (`hook_attn_in`, `hook_q_input`,
    /// `hook_k_input`, `hook_v_input`) when the config asks for them.
    private func attention(_ resid: Tensor, context: ForwardContext) throws -> Tensor {
        let hooks = context.hooks, config = context.config
        func norm(_ x: Tensor) throws -> Tensor { try ln1?.forward(x, hooks: hooks.hooks) ?? x }
        guard config.useAttnIn || config.useSplitQKVInput else {
            let x = try norm(resid)
            return try attn.forward(query: x, key: x, value: x, layer: layer, context: context)
        }
        let shape = resid.shape
        func repeated(_ heads: Int) -> Tensor {
            resid.unsqueezed(2).expanded(to: [shape[0], shape[1], heads, shape[2]])
        }
        var query = repeated(attn.nHeads), key = query, value = query
        if config.useAttnIn {
            let attnIn = try hooks(name + ".hook_attn_in", query)
            (query, key, value) = (attnIn, attnIn, attnIn)
        }
        if config.useSplitQKVInput {
            query = try hooks(name + ".hook_q_input", repeated(attn.nHeads))
            key = try hooks(name + ".hook_k_input", repeated(attn.nKeyValueHeads))
            value = try hooks(name + ".hook_v_input", repeated(attn.nKeyValueHeads))
        }
        return try attn.forward(query: norm(query), key: norm(key), value: norm(value), layer: layer, context: context)
    }
}
