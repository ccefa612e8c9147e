/// Which sublayers `decomposeResid` keeps (TransformerLens's `mode`).
public enum DecomposeMode: String, Sendable {
    /// Attention and MLP outputs.
    case all
    /// MLP outputs only.
    case mlp
    /// Attention outputs only.
    case attn
}

/// Residual-stream stacks: the logit lens and the per-sublayer decomposition.
extension ActivationCache {
    /// The residual stream's layer index for a TransformerLens `layer` argument: nil or -1 mean `n_layers`
    /// (the input to the unembedding); otherwise it must be in `0...n_layers`.
    func residualLayer(_ layer: Int?, _ operation: String) throws -> Int {
        let n = model.config.nLayers
        guard let layer, layer != -1 else { return n }
        guard layer >= 0, layer <= n else {
            throw LensError.invalidArgument("\(operation): layer \(layer) is outside 0...\(n) (or -1 / nil for all)")
        }
        return layer
    }

    /// The accumulated residual stream before each layer (`accumulated_resid`): `resid_pre` of layers
    /// `0...layer` (labels `0_pre`, …), with `inclMid` every earlier `resid_mid` (`0_mid`, …), with
    /// `mlpInput` the `resid_mid` of `layer` itself, and for `layer == n_layers` the final `resid_post`
    /// (`final_post`). Shape `[components, (batch), (pos), d_model]` after `posSlice` on the position axis.
    /// `applyLn` normalises each component for the layer it enters (recomputing the final norm for the
    /// logit lens when `layer == n_layers`).
    public func accumulatedResid(layer: Int? = nil, inclMid: Bool = false, applyLn: Bool = false,
                                 posSlice: AxisSlice = .all, mlpInput: Bool = false) throws -> Tensor {
        try accumulatedResid(layer: layer, inclMid: inclMid, applyLn: applyLn, posSlice: posSlice, mlpInput: mlpInput,
                             returnLabels: false).stack
    }

    /// `accumulatedResid` with its labels when `returnLabels` is true (`return_labels=True`; empty otherwise).
    public func accumulatedResid(layer: Int? = nil, inclMid: Bool = false, applyLn: Bool = false,
                                 posSlice: AxisSlice = .all, mlpInput: Bool = false,
                                 returnLabels: Bool) throws -> (stack: Tensor, labels: [String]) {
        let n = model.config.nLayers
        let top = try residualLayer(layer, "accumulatedResid")
        var components: [Tensor] = [], labels: [String] = []
        for l in 0...top {
            if l == n {
                components.append(try self["resid_post", n - 1])
                labels.append("final_post")
                continue
            }
            components.append(try self["resid_pre", l])
            labels.append("\(l)_pre")
            if (inclMid && l < top) || (mlpInput && l == top) {
                components.append(try self["resid_mid", l])
                labels.append("\(l)_mid")
            }
        }
        var stack = Tensor.stack(try components.map { try posSlice.apply($0, axis: -2) }, axis: 0)
        if applyLn {
            stack = try applyLnToStack(stack, layer: top, mlpInput: mlpInput, posSlice: posSlice,
                                       hasBatchDim: hasBatchDim, recomputeLn: top == n)
        }
        return (stack, returnLabels ? labels : [])
    }

    /// The residual stream entering `layer` split into what wrote it (`decompose_resid`): `hook_embed`
    /// (`embed`), `hook_pos_embed` (`pos_embed`), then each earlier block's `attn_out` and `mlp_out`
    /// (`0_attn_out`, `0_mlp_out`, …; `mode` keeps one kind), and with `mlpInput` this block's `attn_out`.
    /// Shape `[components, (batch), (pos), d_model]`; `applyLn` scales by the cached norm of `layer`.
    public func decomposeResid(layer: Int? = nil, mlpInput: Bool = false, mode: DecomposeMode = .all,
                               applyLn: Bool = false, posSlice: AxisSlice = .all, inclEmbeds: Bool = true) throws -> Tensor {
        try decomposeResid(layer: layer, mlpInput: mlpInput, mode: mode, applyLn: applyLn, posSlice: posSlice,
                           inclEmbeds: inclEmbeds, returnLabels: false).stack
    }

    /// `decomposeResid` with its labels when `returnLabels` is true (empty otherwise).
    public func decomposeResid(layer: Int? = nil, mlpInput: Bool = false, mode: DecomposeMode = .all,
                               applyLn: Bool = false, posSlice: AxisSlice = .all, inclEmbeds: Bool = true,
                               returnLabels: Bool) throws -> (stack: Tensor, labels: [String]) {
        let top = try residualLayer(layer, "decomposeResid")
        let inclAttn = mode != .mlp, inclMLP = mode != .attn && !model.config.attnOnly
        var components: [Tensor] = [], labels: [String] = []
        if inclEmbeds {
            if let embed = value(forKey: "hook_embed") { components.append(embed); labels.append("embed") }
            if let pos = value(forKey: "hook_pos_embed") { components.append(pos); labels.append("pos_embed") }
        }
        for l in 0..<top {
            if inclAttn { components.append(try self["attn_out", l]); labels.append("\(l)_attn_out") }
            if inclMLP { components.append(try self["mlp_out", l]); labels.append("\(l)_mlp_out") }
        }
        if mlpInput, inclAttn { components.append(try self["attn_out", top]); labels.append("\(top)_attn_out") }
        guard !components.isEmpty else {
            throw LensError.invalidArgument("decomposeResid: no components up to layer \(top) with mode \(mode.rawValue)")
        }
        var stack = Tensor.stack(try components.map { try posSlice.apply($0, axis: -2) }, axis: 0)
        if applyLn { stack = try applyLnToStack(stack, layer: top, mlpInput: mlpInput, posSlice: posSlice) }
        return (stack, returnLabels ? labels : [])
    }

    /// Treats each component of `residualStack` (`[components, ..., d_model]`, trailing axes matching the
    /// cached norm scale) as input to `layer` and applies that norm with the cached scale
    /// (`apply_ln_to_stack`): centred (LayerNorm models) and divided by the scale of `blocks.L.ln1`
    /// (`ln2` with `mlpInput`) or of `ln_final` for `layer` nil / -1 / `n_layers`. `posSlice` and
    /// `batchSlice` select the scale's positions and batch rows to match the stack (`batchSlice` also slices
    /// the stack's axis 1 when `hasBatchDim`). `recomputeLn` with the final layer runs `ln_final` (weights
    /// included) on each component with its own statistics, for the logit lens. Models without
    /// normalisation return the stack unchanged.
    public func applyLnToStack(_ residualStack: Tensor, layer: Int? = nil, mlpInput: Bool = false,
                               posSlice: AxisSlice = .all, batchSlice: AxisSlice = .all, hasBatchDim: Bool = true,
                               recomputeLn: Bool = false) throws -> Tensor {
        let kind = model.config.normalizationType
        if kind == .none { return residualStack }
        let l = try residualLayer(layer, "applyLnToStack")
        var stack = residualStack
        if hasBatchDim, batchSlice != .all { stack = try batchSlice.apply(stack, axis: 1) }
        if recomputeLn, l == model.config.nLayers, let lnFinal = model.lnFinal {
            return try lnFinal.forward(stack, hooks: nil)
        }
        if kind == .layerNorm || kind == .layerNormPre { stack = stack - stack.mean(axis: -1, keepDims: true) }
        return stack / (try cachedLnScale(layer: l, mlpInput: mlpInput, posSlice: posSlice, batchSlice: batchSlice))
    }

    /// The cached norm scale for input to `layer` (`ln_final` at `n_layers`), with the slices applied.
    func cachedLnScale(layer: Int, mlpInput: Bool, posSlice: AxisSlice, batchSlice: AxisSlice = .all) throws -> Tensor {
        if mlpInput, layer == model.config.nLayers {
            throw LensError.invalidArgument("mlpInput is not available for the final layer (the unembedding)")
        }
        let key = layer == model.config.nLayers ? "ln_final.hook_scale" : "blocks.\(layer).ln\(mlpInput ? 2 : 1).hook_scale"
        var scale = try posSlice.apply(try self[key], axis: -2)
        if hasBatchDim, batchSlice != .all { scale = try batchSlice.apply(scale, axis: 0) }
        return scale
    }
}
