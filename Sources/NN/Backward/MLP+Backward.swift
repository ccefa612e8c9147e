extension MLPLayer {
    /// The gradient at the MLP's input from `gOut`, the gradient at its output (weights fixed). Visits `hook_post`,
    /// `hook_pre_linear` (gated) and `hook_pre`, in that order.
    ///
    /// Plain: `post = act(pre)`, `pre = x W_in + b_in`, so `g_post = g W_outᵀ`, `g_pre = g_post · act'(pre)`,
    /// `g_x = g_pre W_inᵀ`. Gated: `post = act(pre) · lin + b_in` with `pre = x W_gate`, `lin = x W_in`, so
    /// `g_pre = g_post · lin · act'(pre)`, `g_lin = g_post · act(pre)`, `g_x = g_pre W_gateᵀ + g_lin W_inᵀ`.
    func backward(_ gOut: Tensor, tape: BackwardTape, hooks: GradientRunner) throws -> Tensor {
        let gPost = try hooks(name + ".hook_post", linearBackward(gOut, W_out))
        let pre = try tape.pop(name + ".hook_pre")
        switch self {
        case let gated as GatedMLP:
            let linear = try tape.pop(name + ".hook_pre_linear")
            let (gPre, gLinear) = gated.act.gatedBackward(pre: pre, preLinear: linear, gradient: gPost)
            let hookedLinear = try hooks(name + ".hook_pre_linear", gLinear)
            let hookedPre = try hooks(name + ".hook_pre", gPre)
            return linearBackward(hookedPre, gated.W_gate) + linearBackward(hookedLinear, W_in)
        case let plain as MLP:
            let gPre = try hooks(name + ".hook_pre", plain.act.backward(pre: pre, gradient: gPost))
            return linearBackward(gPre, W_in)
        default:
            throw BackwardError.invalidInput("\(name): no backward pass for MLP type \(type(of: self))")
        }
    }
}
