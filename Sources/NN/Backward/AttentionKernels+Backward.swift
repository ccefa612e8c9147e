import Kernels

/// Row kernels of the attention backward, over `[batch, heads, query, key]` rows.
enum AttentionBackward {
    /// Softmax backward of one row: with `p = softmax(s)` and `g = ∂m/∂p`,
    /// `∂m/∂s_j = p_j (g_j − Σ_k p_k g_k)`. Rows of a fully hidden query (`p = 0`) get 0. `out` may alias `g`.
    static func softmaxRow<T: GradientScalar>(_ p: UnsafePointer<T>, _ g: UnsafePointer<T>, count: Int,
                                              into out: UnsafeMutablePointer<T>) {
        var dot = 0.0
        for j in 0..<count { dot += Double(p[j]) * Double(g[j]) }
        let d = T(dot)
        for j in 0..<count { out[j] = p[j] * (g[j] - d) }
    }

    /// Backward of the score transform `s = cap · tanh(r / (divisor · cap))` (or `s = r / divisor` without a
    /// cap), hidden keys set to −inf: `∂m/∂r = g · (1 − (s/cap)²) / divisor` where visible, 0 where `s = −inf`.
    /// `scores` are the transformed scores (`hook_attn_scores`), needed only with a cap. `out` may alias `g`.
    static func scoreRow<T: GradientScalar>(_ g: UnsafePointer<T>, scores: UnsafePointer<T>?, divisor: T, cap: T?,
                                            count: Int, into out: UnsafeMutablePointer<T>) {
        let inverse = 1 / divisor
        guard let scores, let cap else {
            for j in 0..<count { out[j] = g[j] * inverse }
            return
        }
        for j in 0..<count {
            let s = scores[j]
            guard s.isFinite else { out[j] = 0; continue }
            let t = s / cap
            out[j] = g[j] * (1 - t * t) * inverse
        }
    }

    /// `∂m/∂raw scores` from `g = ∂m/∂pattern` (`[..., keys]`): softmax backward, then the gradient at
    /// `hook_attn_scores` (through `hooks`), then the score transform's backward. `scores` (the transformed
    /// scores) are needed only with a cap.
    static func scoresGradient(pattern: Tensor, gradient g: Tensor, scores: Tensor?, divisor: Float, cap: Float?,
                               hookName: String, hooks: GradientRunner) throws -> Tensor {
        let keys = pattern.shape.last ?? 1, rows = pattern.count / max(keys, 1)
        let p = pattern.contiguousFloat32(), gc = g.contiguousFloat32()
        let gs = Tensor(uninitialized: pattern.shape)
        let (pp, gp, op) = (p.elementPointer, gc.elementPointer, gs.elementPointer)
        Parallel.forChunks(rows, costPerElement: keys * 3) { r0, r1 in
            for r in r0..<r1 { softmaxRow(pp + r * keys, gp + r * keys, count: keys, into: op + r * keys) }
        }
        let hooked = try hooks(hookName, gs).contiguousFloat32()
        let out = Tensor(uninitialized: pattern.shape)
        let s = scores?.contiguousFloat32()
        let (hp, outp, sp) = (hooked.elementPointer, out.elementPointer, s?.elementPointer)
        Parallel.forChunks(rows, costPerElement: keys * 2) { r0, r1 in
            for r in r0..<r1 {
                scoreRow(hp + r * keys, scores: sp.map { $0 + r * keys }, divisor: divisor, cap: cap, count: keys,
                         into: outp + r * keys)
            }
        }
        return withExtendedLifetime((p, gc, hooked, s)) { out }
    }
}
