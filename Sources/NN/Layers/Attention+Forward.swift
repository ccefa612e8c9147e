extension Attention {
    /// Self-attention of `layer` over `query`, `key`, `value` inputs (`[batch, pos, d_model]`, or
    /// `[batch, pos, heads, d_model]` with split inputs), firing `hook_q`, `hook_k`, `hook_v`, the QK-norm hooks,
    /// `hook_rot_q`, `hook_rot_k`, `hook_attn_scores`, `hook_pattern`, `hook_z` and (opt-in) `hook_result`.
    /// Returns `[batch, pos, d_model]`.
    func forward(query: Tensor, key: Tensor, value: Tensor, layer: Int, context: ForwardContext) throws -> Tensor {
        let hooks = context.hooks
        var (q, k, v) = projections(query: query, key: key, value: value)
        q = try hooks(name + ".hook_q", q)
        k = try hooks(name + ".hook_k", k)
        v = try hooks(name + ".hook_v", v)
        if let qNorm, let kNorm {
            q = try qNorm.forward(q.reshaped([-1, dHead]), hooks: hooks.hooks).reshaped(q.shape)
            k = try kNorm.forward(k.reshaped([-1, dHead]), hooks: hooks.hooks).reshaped(k.shape)
        }
        if let rotary, let angles = context.rotaryAngles {
            q = try hooks(name + ".hook_rot_q", rotary.apply(q, cos: angles.cos, sin: angles.sin))
            k = try hooks(name + ".hook_rot_k", rotary.apply(k, cos: angles.cos, sin: angles.sin))
        }
        if let cache = context.cache { (k, v) = cache.append(layer: layer, k: k, v: v) }
        let pattern = try attentionPattern(q: q, k: k, context: context)
        let z = try hooks(name + ".hook_z", mix(pattern, v))
        guard context.config.useAttnResult else { return output(z) }
        // result[b, p, h] = z[b, p, h] · W_O[h]
        return try hooks(name + ".hook_result", headLinear(z, W_O)).sum(axis: 2) + b_O
    }

    /// `z [batch, query, heads, d_head]` from `pattern [batch, heads, query, key]` and `v [batch, key, n_kv,
    /// d_head]`: `z[b, p, h] = Σ_j pattern[b, h, p, j] v[b, j, h / group]`.
    func mix(_ pattern: Tensor, _ v: Tensor) -> Tensor {
        let (batch, length, keys) = (pattern.shape[0], pattern.shape[2], pattern.shape[3])
        let grouped = pattern.reshaped([batch, nKeyValueHeads, nHeads / nKeyValueHeads, length, keys])
        return grouped.matmul(v.permuted([0, 2, 1, 3]).unsqueezed(2))
            .reshaped([batch, nHeads, length, dHead]).permuted([0, 2, 1, 3])
    }

    /// The output projection of all heads at once, `z · W_O + b_O` (`[batch, pos, d_model]`).
    func output(_ z: Tensor) -> Tensor {
        linear(z.reshaped([z.shape[0], z.shape[1], nHeads * dHead]), outputWeight, bias: b_O)
    }

    /// Scaled, soft-capped, masked scores `[batch, heads, query, key]` (`hook_attn_scores`, `-inf` where hidden)
    /// and their softmax (`hook_pattern`).
    func attentionPattern(q: Tensor, k: Tensor, context: ForwardContext) throws -> Tensor {
        let hooks = context.hooks
        let (batch, length, keys) = (q.shape[0], q.shape[1], k.shape[1])
        let group = nHeads / nKeyValueHeads
        // scores[b, h, i, j] = q[b, i, h] · k[b, j, h / group]
        let grouped = q.permuted([0, 2, 1, 3]).reshaped([batch, nKeyValueHeads, group, length, dHead])
        let raw = grouped.matmul(k.permuted([0, 2, 3, 1]).unsqueezed(2)).reshaped([batch, nHeads, length, keys])
        AttentionKernels.scaleAndMask(raw, layout: context.layout, divisor: scoreDivisor, softCap: softCap,
                                      window: window)
        let scoresName = name + ".hook_attn_scores"
        let scoresHooked = hooks.isActive(scoresName)
        let scores = try hooks(scoresName, raw).contiguousFloat32()
        let pattern = scoresHooked ? Tensor(uninitialized: scores.shape) : scores
        AttentionKernels.softmax(scores, into: pattern)
        return try hooks(name + ".hook_pattern", pattern)
    }
}
