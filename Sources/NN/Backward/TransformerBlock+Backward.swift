/// The backward of one block: the gradient at `hook_resid_pre` from the gradient at `hook_resid_post`,
/// visiting every hook point of the block in the reverse of the forward order.
///
/// Sequential: `mid = pre + A(pre)`, `post = mid + M(mid)`, so `g_mid = g_post + M'ᵀ g_post`,
/// `g_pre = g_mid + A'ᵀ g_mid`. Parallel: `post = pre + A(pre) + M(pre)`, so `g_pre = g_post + A'ᵀ g_post + M'ᵀ g_post`.
extension TransformerBlock {
    func backward(_ gPost: Tensor, tape: BackwardTape, context: BackwardContext) throws -> Tensor {
        let hooks = context.hooks
        let g = try hooks(name + ".hook_resid_post", gPost)
        var gResid = g, gAttnOut = g
        if let mlp {
            var gMLP = try hooks(name + ".hook_mlp_out", g)
            if let ln2Post { gMLP = try ln2Post.backward(gMLP, tape: tape, hooks: hooks) }
            gMLP = try mlp.backward(gMLP, tape: tape, hooks: hooks)
            if let ln2 { gMLP = try ln2.backward(gMLP, tape: tape, hooks: hooks) }
            if context.config.useHookMLPIn { gMLP = try hooks(name + ".hook_mlp_in", gMLP) }
            if parallel {
                gResid = g + gMLP
            } else {
                gResid = try hooks(name + ".hook_resid_mid", g + gMLP)
                gAttnOut = gResid
            }
        }
        gAttnOut = try hooks(name + ".hook_attn_out", gAttnOut)
        if let ln1Post { gAttnOut = try ln1Post.backward(gAttnOut, tape: tape, hooks: hooks) }
        let (gq, gk, gv) = try attn.backward(gAttnOut, tape: tape, context: context)
        let gInput = try inputBackward(q: gq, k: gk, v: gv, tape: tape, context: context)
        return try hooks(name + ".hook_resid_pre", gResid + gInput)
    }

    /// The gradient at the residual from the gradients at `hook_q`, `hook_k`, `hook_v`: through the projections
    /// and `ln1`, and with split inputs through `hook_v_input`, `hook_k_input`, `hook_q_input` (or `hook_attn_in`)
    /// and the sum over their head copies.
    private func inputBackward(q gq: Tensor, k gk: Tensor, v gv: Tensor, tape: BackwardTape,
                               context: BackwardContext) throws -> Tensor {
        let hooks = context.hooks, config = context.config
        func norm(_ g: Tensor) throws -> Tensor { try ln1?.backward(g, tape: tape, hooks: hooks) ?? g }
        guard config.useAttnIn || config.useSplitQKVInput else {
            return try norm(attn.sharedInputBackward(q: gq, k: gk, v: gv))
        }
        let split = attn.splitInputBackward(q: gq, k: gk, v: gv)
        // The forward normalised the query, key and value copies in that order.
        let gvIn = try norm(split.v), gkIn = try norm(split.k), gqIn = try norm(split.q)
        guard config.useSplitQKVInput else {
            let gAttnIn = try hooks(name + ".hook_attn_in", gqIn + gkIn + gvIn)
            return gAttnIn.sum(axis: 2)
        }
        let v = try hooks(name + ".hook_v_input", gvIn), k = try hooks(name + ".hook_k_input", gkIn)
        let q = try hooks(name + ".hook_q_input", gqIn)
        if config.useAttnIn {
            // The split copies replace hook_attn_in's value, so nothing downstream reads it.
            _ = try hooks(name + ".hook_attn_in", Tensor(zeros: q.shape))
        }
        return q.sum(axis: 2) + k.sum(axis: 2) + v.sum(axis: 2)
    }
}
