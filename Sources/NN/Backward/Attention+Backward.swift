/// The backward of attention with respect to its inputs (weights fixed), from the recorded pattern, values,
/// and the queries and keys the scores were made from. Shapes: `q [batch, pos, n_heads, d_head]`,
/// `k, v [batch, keys, n_kv, d_head]`, `pattern [batch, n_heads, pos, keys]`; head `h` reads kv head `h / group`.
extension Attention {
    /// Gradients at `hook_q`, `hook_k`, `hook_v` from `gOut`, the gradient at the attention output
    /// `[batch, pos, d_model]` (after `b_O`, before any post-norm). Visits, in order: `hook_result`, `hook_z`,
    /// `hook_pattern`, `hook_attn_scores`, `hook_rot_k`, `hook_rot_q`, the k and q norm hooks, `hook_v`, `hook_k`,
    /// `hook_q`.
    func backward(_ gOut: Tensor, tape: BackwardTape, context: BackwardContext) throws -> (q: Tensor, k: Tensor, v: Tensor) {
        let hooks = context.hooks
        let (batch, length) = (gOut.shape[0], gOut.shape[1])
        let gz = try hooks(name + ".hook_z", try outputBackward(gOut, context: context))
        let pattern = try tape.pop(name + ".hook_pattern"), v = try tape.pop(name + ".hook_v")
        let keys = pattern.shape[3], group = nHeads / nKeyValueHeads
        // gz as [b, kv, group, pos, d_head] (head h = kv·group + g)
        let gzHeads = gz.permuted([0, 2, 1, 3]).contiguous().reshaped([batch, nKeyValueHeads, group, length, dHead])
        // ∂m/∂pattern[b, h, i, j] = Σ_e gz[b, i, h, e] v[b, j, h/group, e]
        let gPattern = gzHeads.matmul(v.permuted([0, 2, 3, 1]).unsqueezed(2)).reshaped([batch, nHeads, length, keys])
        // ∂m/∂v[b, j, kv, e] = Σ_{h in kv's group} Σ_i pattern[b, h, i, j] gz[b, i, h, e]
        let patternT = pattern.reshaped([batch, nKeyValueHeads, group, length, keys]).transposed(-2, -1)
        let gv = patternT.matmul(gzHeads).sum(axis: 2).permuted([0, 2, 1, 3]).contiguous()
        let hookedPattern = try hooks(name + ".hook_pattern", gPattern)
        let scores = softCap != nil ? try tape.pop(name + ".hook_attn_scores") : nil
        let gRaw = try AttentionBackward.scoresGradient(
            pattern: pattern, gradient: hookedPattern, scores: scores, divisor: scoreDivisor, cap: softCap,
            hookName: name + ".hook_attn_scores", hooks: hooks)
        let (q, k) = try scoreInputs(tape: tape)
        let gRawHeads = gRaw.reshaped([batch, nKeyValueHeads, group, length, keys])
        // ∂m/∂q[b, i, h, :] = Σ_j gRaw[b, h, i, j] k[b, j, h/group, :]
        var gq = gRawHeads.matmul(k.permuted([0, 2, 1, 3]).unsqueezed(2)).reshaped([batch, nHeads, length, dHead])
            .permuted([0, 2, 1, 3]).contiguous()
        // ∂m/∂k[b, j, kv, :] = Σ_{h in kv's group} Σ_i gRaw[b, h, i, j] q[b, i, h, :]
        let qHeads = q.permuted([0, 2, 1, 3]).contiguous().reshaped([batch, nKeyValueHeads, group, length, dHead])
        var gk = gRawHeads.transposed(-2, -1).matmul(qHeads).sum(axis: 2).permuted([0, 2, 1, 3]).contiguous()
        if let rotary, let angles = context.rotaryAngles {
            gk = rotary.backward(try hooks(name + ".hook_rot_k", gk), cos: angles.cos, sin: angles.sin)
            gq = rotary.backward(try hooks(name + ".hook_rot_q", gq), cos: angles.cos, sin: angles.sin)
        }
        if let qNorm, let kNorm {
            gk = try kNorm.backward(gk.reshaped([-1, dHead]), tape: tape, hooks: hooks).reshaped(gk.shape)
            gq = try qNorm.backward(gq.reshaped([-1, dHead]), tape: tape, hooks: hooks).reshaped(gq.shape)
        }
        let hv = try hooks(name + ".hook_v", gv)
        let hk = try hooks(name + ".hook_k", gk)
        return (try hooks(name + ".hook_q", gq), hk, hv)
    }

    /// `∂m/∂z [batch, pos, n_heads, d_head]` from the output gradient: through `hook_result` (each head's
    /// `z · W_O[h]` receives `gOut`) when it exists, else one GEMM through `W_O` reshaped `[n_heads·d_head, d_model]`.
    private func outputBackward(_ gOut: Tensor, context: BackwardContext) throws -> Tensor {
        let (batch, length, hooks) = (gOut.shape[0], gOut.shape[1], context.hooks)
        let resultName = name + ".hook_result"
        if context.config.useAttnResult, hooks.isActive(resultName) {
            let gResult = try hooks(resultName, gOut.unsqueezed(2).expanded(to: [batch, length, nHeads, dModel]))
            return headLinearBackward(gResult, W_O)
        }
        return linearBackward(gOut, outputWeight).reshaped([batch, length, nHeads, dHead])
    }

    /// The queries and keys the scores were computed from: after rotation, else after the QK norm (`normalized · w`),
    /// else the `hook_q` / `hook_k` values.
    private func scoreInputs(tape: BackwardTape) throws -> (Tensor, Tensor) {
        if rotary != nil { return (try tape.pop(name + ".hook_rot_q"), try tape.pop(name + ".hook_rot_k")) }
        if let qNorm, let kNorm {
            let q = try tape.peek(qNorm.name + ".hook_normalized") * qNorm.w
            let k = try tape.peek(kNorm.name + ".hook_normalized") * kNorm.w
            return (q, k)
        }
        return (try tape.pop(name + ".hook_q"), try tape.pop(name + ".hook_k"))
    }

    /// `∂m/∂x` for the shared input `x [batch, pos, d_model]` of all three projections:
    /// `[gq | gk | gv] · W_QKVᵀ`, one product when the weights are packed, else the sum of three.
    func sharedInputBackward(q gq: Tensor, k gk: Tensor, v gv: Tensor) -> Tensor {
        let (batch, length) = (gq.shape[0], gq.shape[1])
        let grads = [gq.reshaped([batch, length, queryWidth]), gk.reshaped([batch, length, keyWidth]),
                     gv.reshaped([batch, length, keyWidth])]
        if let packedWeight { return linearBackward(Tensor.concat(grads, axis: 2), packedWeight) }
        let parts = zip(grads, projectionWeights).map { linearBackward($0, $1) }
        return parts.dropFirst().reduce(parts[0], +)
    }

    /// `∂m/∂input` for split per-head inputs (`hook_q_input`, `hook_k_input`, `hook_v_input`,
    /// `[batch, pos, heads, d_model]`): `g[b, p, h] · W[h]ᵀ` per head.
    func splitInputBackward(q gq: Tensor, k gk: Tensor, v gv: Tensor) -> (q: Tensor, k: Tensor, v: Tensor) {
        (headLinearBackward(gq, W_Q), headLinearBackward(gk, W_K_grouped), headLinearBackward(gv, W_V_grouped))
    }
}
