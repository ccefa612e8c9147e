/// Per-neuron decompositions of the MLP outputs.
extension ActivationCache {
    /// Each selected neuron's contribution to the residual stream from MLP `layer` (`get_neuron_results`):
    /// `post[..., n] · W_out[n]` `[..., neurons, d_model]` (an `.index` neuron slice drops the neuron axis).
    /// With `projectOutputOnto` `p` (`[d_model]` or `[d_model, outs]`) the result is
    /// `post[..., n] · (W_out[n] · p)` — `[..., neurons]` or `[..., neurons, outs]` — without forming the
    /// `[..., neurons, d_model]` intermediate.
    public func getNeuronResults(layer: Int, neuronSlice: AxisSlice = .all, posSlice: AxisSlice = .all,
                                 projectOutputOnto p: Tensor? = nil) throws -> Tensor {
        var acts = try posSlice.apply(try self["post", layer], axis: -2)
        var wOut = try neuronWeights(layer)
        acts = try neuronSlice.apply(acts, axis: -1)
        wOut = try neuronSlice.apply(wOut, axis: 0)
        guard let p else { return acts.unsqueezed(-1) * wOut }
        let projected = wOut.matmul(p)
        return projected.rank == 1 ? acts * projected : acts.unsqueezed(-1) * projected
    }

    /// Every neuron's contribution from the MLPs before `layer` (nil / -1: all), `[layer·neurons, ..., d_model]`
    /// in order `L0N0, L0N1, …` (`stack_neuron_results`). `inclRemainder` appends `resid_post` of layer
    /// `layer - 1` minus the neurons' sum; `applyLn` scales by the cached norm of `layer`.
    ///
    /// With `projectOutputOnto` `p` (`[d_model]` or `[d_model, outs]`) each neuron is projected before
    /// stacking, so the `[..., d_mlp, d_model]` intermediate never exists; with `applyLn` too the norm is
    /// folded in analytically: `LN_s(a·w)·p = (a / s)·(w·p − mean(w)·Σp)` (no centring term for RMS).
    /// Result `[components, ..., outs]` (last axis dropped for a vector `p`).
    public func stackNeuronResults(layer: Int? = nil, posSlice: AxisSlice = .all, neuronSlice: AxisSlice = .all,
                                   inclRemainder: Bool = false, applyLn: Bool = false,
                                   projectOutputOnto p: Tensor? = nil) throws -> Tensor {
        try stackNeuronResults(layer: layer, posSlice: posSlice, neuronSlice: neuronSlice, inclRemainder: inclRemainder,
                               applyLn: applyLn, projectOutputOnto: p, returnLabels: false).stack
    }

    /// `stackNeuronResults` with the labels `L0N0`, …, `remainder` when `returnLabels` is true (empty otherwise).
    public func stackNeuronResults(layer: Int? = nil, posSlice: AxisSlice = .all, neuronSlice: AxisSlice = .all,
                                   inclRemainder: Bool = false, applyLn: Bool = false, projectOutputOnto p: Tensor? = nil,
                                   returnLabels: Bool) throws -> (stack: Tensor, labels: [String]) {
        let top = try residualLayer(layer, "stackNeuronResults")
        guard let dMLP = model.config.dMLP, !model.config.attnOnly else {
            throw LensError.invalidArgument("stackNeuronResults: the model has no MLPs")
        }
        // An integer neuron slice keeps its axis here so every layer stacks the same way.
        let neurons = neuronSlice.dropsAxis ? AxisSlice.indices(try neuronSlice.positions(count: dMLP)) : neuronSlice
        let indices = try neurons.positions(count: dMLP)
        var labels = (0..<top).flatMap { l in indices.map { "L\(l)N\($0)" } }
        let p2 = p.map { $0.rank == 1 ? $0.unsqueezed(-1) : $0 }
        let folded = applyLn && p2 != nil && model.config.normalizationType != .none
        let scale = folded ? try cachedLnScale(layer: top, mlpInput: false, posSlice: posSlice) : nil
        var parts: [Tensor] = []
        for l in 0..<top {
            parts.append(try neuronContributions(layer: l, neurons: neurons, posSlice: posSlice, project: p2, lnScale: scale))
        }
        var stack: Tensor
        if parts.isEmpty {
            let shape = (try posSlice.apply(try self["hook_embed"], axis: -2)).shape
            stack = Tensor(zeros: [0] + shape.dropLast() + [p2?.shape[1] ?? shape.last!])
        } else {
            stack = componentsFirst(Tensor.concat(parts, axis: -2))
        }
        if inclRemainder {
            var total = try posSlice.apply(try self["resid_post", top - 1], axis: -2)
            if folded { total = try applyLnToStack(total.unsqueezed(0), layer: top, posSlice: posSlice)[0] }
            if let p2 { total = total.matmul(p2) }
            let remainder = parts.isEmpty ? total : total - stack.sum(axis: 0)
            stack = Tensor.concat([stack, remainder.unsqueezed(0)], axis: 0)
            labels.append("remainder")
        }
        if applyLn, !folded { stack = try applyLnToStack(stack, layer: top, posSlice: posSlice) }
        if let p, p.rank == 1 { stack = stack.squeezed([-1]) }
        return (stack, returnLabels ? labels : [])
    }

    /// MLP `layer`'s neurons' contributions `[..., neurons, d_model | outs]`, projected onto `project`
    /// `[d_model, outs]` if given and, with `lnScale`, normalised analytically by that cached scale.
    func neuronContributions(layer: Int, neurons: AxisSlice, posSlice: AxisSlice, project: Tensor?,
                             lnScale: Tensor?) throws -> Tensor {
        let acts = try neurons.apply(try posSlice.apply(try self["post", layer], axis: -2), axis: -1)
        let wOut = try neurons.apply(try neuronWeights(layer), axis: 0)
        guard let project else { return acts.unsqueezed(-1) * wOut }
        var form = wOut.matmul(project)
        guard let lnScale else { return acts.unsqueezed(-1) * form }
        // LN_s(a w)·p = (a / s)(w·p − mean(w) Σp)
        if model.config.normalizationType == .layerNorm || model.config.normalizationType == .layerNormPre {
            form = form - wOut.mean(axis: -1, keepDims: true) * project.sum(axis: 0, keepDims: true)
        }
        return (acts / lnScale).unsqueezed(-1) * form
    }

    /// `W_out [d_mlp, d_model]` of MLP `layer`.
    private func neuronWeights(_ layer: Int) throws -> Tensor {
        guard layer >= 0, layer < model.blocks.count, let mlp = model.blocks[layer].mlp else {
            throw LensError.missingWeight("W_out of layer \(layer)", reason: "the block has no MLP")
        }
        return mlp.W_out
    }
}
