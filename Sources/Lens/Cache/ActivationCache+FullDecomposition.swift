/// The residual stream split into every head, every neuron, the embeddings and the biases.
extension ActivationCache {
    /// The residual stream entering `layer` (nil / -1: the unembedding) as a stack of every component
    /// (`get_full_resid_decomposition`), in order: each head's result (`L0H0`, …; with `mlpInput` the heads
    /// of `layer` too), each neuron's result (`L0N0`, …) or with `expandNeurons` false each MLP's output
    /// (`0_mlp_out`, …), `embed`, `pos_embed` (if cached), and `bias` (the accumulated output biases).
    /// Shape `[components, ..., d_model]`. `applyLn` scales every component by the cached norm of `layer`.
    ///
    /// With `projectOutputOnto` `p` (`[d_model]`, e.g. a logit direction, or `[d_model, outs]`), every head
    /// and neuron is projected before stacking (`z · (W_O · p)`, `post · (W_out · p)`), so neither the
    /// `[…, n_heads, d_model]` nor the `[…, d_mlp, d_model]` intermediate exists; with `applyLn` the norm is
    /// folded in analytically. Result `[components, ..., outs]`, the last axis dropped for a vector `p`.
    public func getFullResidDecomposition(layer: Int? = nil, mlpInput: Bool = false, expandNeurons: Bool = true,
                                          applyLn: Bool = false, posSlice: AxisSlice = .all,
                                          projectOutputOnto p: Tensor? = nil) throws -> Tensor {
        try getFullResidDecomposition(layer: layer, mlpInput: mlpInput, expandNeurons: expandNeurons, applyLn: applyLn,
                                      posSlice: posSlice, projectOutputOnto: p, returnLabels: false).stack
    }

    /// `getFullResidDecomposition` with its labels when `returnLabels` is true (empty otherwise).
    public func getFullResidDecomposition(layer: Int? = nil, mlpInput: Bool = false, expandNeurons: Bool = true,
                                          applyLn: Bool = false, posSlice: AxisSlice = .all, projectOutputOnto p: Tensor? = nil,
                                          returnLabels: Bool) throws -> (stack: Tensor, labels: [String]) {
        let config = model.config
        let top = try residualLayer(layer, "getFullResidDecomposition")
        if mlpInput, top == config.nLayers {
            throw LensError.invalidArgument("getFullResidDecomposition: mlpInput is not available for the final layer")
        }
        let p2 = p.map { $0.rank == 1 ? $0.unsqueezed(-1) : $0 }
        let folded = applyLn && p2 != nil && config.normalizationType != .none
        let scale = folded ? try cachedLnScale(layer: top, mlpInput: mlpInput, posSlice: posSlice) : nil
        func lnThenProject(_ stack: Tensor) throws -> Tensor {
            let normed = folded ? try applyLnToStack(stack, layer: top, mlpInput: mlpInput, posSlice: posSlice) : stack
            return p2.map { normed.matmul($0) } ?? normed
        }

        let headLayers = top + (mlpInput ? 1 : 0)
        var labels = (0..<headLayers).flatMap { l in (0..<config.nHeads).map { "L\(l)H\($0)" } }
        var heads: Tensor
        if let p2, headLayers > 0 {
            let parts = try (0..<headLayers).map { try headContributions(layer: $0, posSlice: posSlice, project: p2, lnScale: scale) }
            heads = componentsFirst(Tensor.concat(parts, axis: -2))
        } else {
            heads = try stackHeadResults(layer: headLayers, posSlice: posSlice)
            if let p2 { heads = heads.matmul(p2) }
        }
        var components = [heads]

        if !config.attnOnly, top > 0 {
            if expandNeurons {
                let d = try neuronCount()
                labels += (0..<top).flatMap { l in (0..<d).map { "L\(l)N\($0)" } }
                let parts = try (0..<top).map {
                    try neuronContributions(layer: $0, neurons: .all, posSlice: posSlice, project: p2, lnScale: scale)
                }
                components.append(componentsFirst(Tensor.concat(parts, axis: -2)))
            } else {
                let (mlps, mlpLabels) = try decomposeResid(layer: top, mlpInput: mlpInput, mode: .mlp, posSlice: posSlice,
                                                           inclEmbeds: false, returnLabels: true)
                labels += mlpLabels
                components.append(try lnThenProject(mlps))
            }
        }
        for (key, label) in [("hook_embed", "embed"), ("hook_pos_embed", "pos_embed")] {
            guard let value = value(forKey: key) else { continue }
            components.append(try lnThenProject(try posSlice.apply(value, axis: -2).unsqueezed(0)))
            labels.append(label)
        }
        let bias = try model.accumulatedBias(layer: top, mlpInput: mlpInput, includeMLPBiases: expandNeurons)
        let rows = Array(heads.shape.dropFirst().dropLast())
        if folded {
            components.append(try lnThenProject(bias.expanded(to: [1] + rows + [config.dModel])))
        } else {
            let b = p2.map { bias.matmul($0) } ?? bias
            components.append(b.expanded(to: [1] + rows + [b.shape.last!]))
        }
        labels.append("bias")

        var stack = Tensor.concat(components, axis: 0)
        if applyLn, !folded { stack = try applyLnToStack(stack, layer: top, mlpInput: mlpInput, posSlice: posSlice) }
        if let p, p.rank == 1 { stack = stack.squeezed([-1]) }
        return (stack, returnLabels ? labels : [])
    }

    /// Heads of `layer` projected onto `project [d_model, outs]`: `z · (W_O[h] · p)` `[..., head, outs]`;
    /// with `lnScale` normalised analytically, `(z / s) · (W_O[h]·p − mean(W_O[h]) Σp)` (no centring for RMS).
    func headContributions(layer: Int, posSlice: AxisSlice, project: Tensor, lnScale: Tensor?) throws -> Tensor {
        let kind = model.config.normalizationType
        let centres = lnScale != nil && (kind == .layerNorm || kind == .layerNormPre)
        guard contains("blocks.\(layer).attn.hook_z") else {
            var results = try headResults(layer: layer, posSlice: posSlice)
            if centres { results = results - results.mean(axis: -1, keepDims: true) }
            if let lnScale { results = results / lnScale.unsqueezed(-1) }
            return results.matmul(project)
        }
        let wO = model.blocks[layer].attn.W_O
        var form = wO.matmul(project)
        var z = try posSlice.apply(try self["z", layer], axis: -3)
        if centres { form = form - wO.mean(axis: -1, keepDims: true) * project.sum(axis: 0, keepDims: true) }
        if let lnScale { z = z / lnScale.unsqueezed(-1) }
        return perHead(z, form)
    }

    /// `d_mlp`, or an error for attention-only models.
    private func neuronCount() throws -> Int {
        guard let d = model.config.dMLP else { throw LensError.invalidArgument("the model has no MLPs") }
        return d
    }
}
