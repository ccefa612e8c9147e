/// Attribution patching (AtP, Nanda 2023; Syed et al. 2023): every patch of an activation-patching sweep
/// estimated to first order from one clean forward pass and one corrupted forward and backward pass:
///
///     estimate[index] = metric(corrupted) + Σ_{b, region(index)} (clean − corrupted)[b, …] · ∂metric/∂act[b, …]
///
/// with the gradient taken at the corrupted run and `region(index)` the entries the exact patch overwrites (a
/// position of `resid_pre`, a head's `z` at every position, …). The result has the exact sweep's layout
/// (`PatchSweep`), so `actPatch` and `attributionPatch` can be compared entry by entry.
extension HookedTransformer {
    /// The AtP estimate of `actPatch(sweep, clean:, corrupted:, direction: .denoising, metric:)`: clean activations
    /// patched into the corrupted run, estimated from the gradient at the corrupted run.
    public func attributionPatch(_ sweep: PatchSweep, clean: Tensor, corrupted: Tensor,
                                 metric: GradientMetric) throws -> Tensor {
        try attributionPatch(sweep, clean: clean, corrupted: corrupted, metric: metric, attached: [])
    }

    /// The AtP estimates of several sweeps from the same two forward passes and one backward pass, in order.
    public func attributionPatch(_ sweeps: [PatchSweep], clean: Tensor, corrupted: Tensor,
                                 metric: GradientMetric) throws -> [Tensor] {
        try attributionPatch(sweeps, clean: clean, corrupted: corrupted, metric: metric, attached: [])
    }

    /// `attributionPatch` with `attached` hooks running in both forward passes (backward hooks in the backward pass).
    func attributionPatch(_ sweep: PatchSweep, clean: Tensor, corrupted: Tensor, metric: GradientMetric,
                          attached: [BoundHook]) throws -> Tensor {
        try attributionPatch([sweep], clean: clean, corrupted: corrupted, metric: metric, attached: attached)[0]
    }

    /// The sweeps' estimates from one clean forward pass and one corrupted forward and backward pass.
    func attributionPatch(_ sweeps: [PatchSweep], clean: Tensor, corrupted: Tensor, metric: GradientMetric,
                          attached: [BoundHook]) throws -> [Tensor] {
        guard clean.shape == corrupted.shape else {
            throw LensError.invalidArgument("clean tokens \(clean.shape) and corrupted tokens \(corrupted.shape) differ in shape")
        }
        var names: [String] = []
        for part in sweeps.flatMap(\.parts) {
            let activation = part.definition.activation
            for layer in 0..<config.nLayers where !names.contains(getActName(activation, layer: layer)) {
                let name = getActName(activation, layer: layer)
                guard hookRegistry.contains(name) else {
                    throw LensError.invalidArgument("the \(part.rawValue) sweep patches \(name), which this model does not have")
                }
                names.append(name)
            }
        }
        let (_, cleanCache) = try runWithCache(clean, names: .names(names), posSlice: .all, stopAtLayer: nil,
                                               removeBatchDim: false, attentionMask: nil, bound: attached, tokenizer: nil)
        let run = try gradientRun(corrupted, metric: metric, gradientNames: names, activationNames: names,
                                  bound: attached, attentionMask: nil, fullLogits: false)
        return try sweeps.map { sweep in
            let results = try sweep.parts.map { part -> Tensor in
                let (activation, setter, _) = part.definition
                let layers = try (0..<config.nLayers).map { layer -> Tensor in
                    let name = getActName(activation, layer: layer)
                    let difference = try cleanCache[name] - run.activations[name]
                    return try setter.attributionSum(difference * run.gradients[name])
                }
                return Tensor.stack(layers, axis: 0) + run.value
            }
            return sweep.combine(results, nHeads: config.nHeads)
        }
    }
}

extension LensModel {
    /// `HookedTransformer.attributionPatch` with the attached hooks (forward and backward) in every pass.
    public func attributionPatch(_ sweep: PatchSweep, clean: Tensor, corrupted: Tensor,
                                 metric: GradientMetric) throws -> Tensor {
        try transformer.attributionPatch(sweep, clean: clean, corrupted: corrupted, metric: metric,
                                         attached: hooks(plus: []))
    }

    /// `HookedTransformer.attributionPatch(_:[PatchSweep]…)` with the attached hooks.
    public func attributionPatch(_ sweeps: [PatchSweep], clean: Tensor, corrupted: Tensor,
                                 metric: GradientMetric) throws -> [Tensor] {
        try transformer.attributionPatch(sweeps, clean: clean, corrupted: corrupted, metric: metric,
                                         attached: hooks(plus: []))
    }
}

extension PatchSetter {
    /// `Σ (clean − corrupted) · gradient` over the region each index of this setter overwrites, for one layer's
    /// product `[batch, …]`: `[pos]` (`layerPos`), `[pos, head]`, `[head]` (head vectors or patterns),
    /// `[head, dest]`, `[head, dest, src]`, the layouts of the exact sweeps without their layer axis.
    func attributionSum(_ product: Tensor) throws -> Tensor {
        let last = product.rank - 1
        switch self {
        case .layerPos: return product.sum(axes: [0] + Array(2..<max(2, product.rank)))
        case .layerPosHeadVector: return product.sum(axes: [0, last])
        case .layerHeadVector: return product.sum(axes: [0, 1, last])
        case .layerHeadPattern: return product.sum(axes: [0, 2, 3])
        case .layerHeadPosPattern: return product.sum(axes: [0, 3])
        case .layerHeadDestSrcPosPattern: return product.sum(axes: [0])
        case .custom: throw LensError.invalidArgument("attribution patching needs a built-in patch setter")
        }
    }
}

/// Pearson correlation of two tensors' entries (flattened): `cov(a, b) / (σ_a σ_b)`; NaN when either is constant.
public func pearsonCorrelation(_ a: Tensor, _ b: Tensor) throws -> Float {
    guard a.count == b.count, a.count > 1 else {
        throw LensError.invalidArgument("correlation needs two tensors of equal size above 1, got \(a.shape) and \(b.shape)")
    }
    let x = a.scalars.map(Double.init), y = b.scalars.map(Double.init)
    let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for (u, v) in zip(x, y) {
        sxy += (u - mx) * (v - my)
        sxx += (u - mx) * (u - mx)
        syy += (v - my) * (v - my)
    }
    return Float(sxy / (sxx * syy).squareRoot())
}
