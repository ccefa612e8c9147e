/// Activation patching (TransformerLens's `patching` module): patch part of one activation of a run with the
/// value it has in another run and score the result with a metric, for every index of a sweep.
extension HookedTransformer {
    /// `generic_activation_patch` over every combination of `axes` (row-major, last axis fastest): patches
    /// `activation` (a `getActName` short name such as `resid_pre` or `z`, whose layer is the first index
    /// entry) of the run on `corruptedTokens` (`[batch, pos]`) with `cleanCache`'s values via `setter`.
    /// Returns the metric for each index, shaped by the axis extents (e.g. `[n_layers, pos]`).
    public func genericActivationPatch(corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                                       activation: String, setter: PatchSetter, axes: [PatchAxis],
                                       options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try genericActivationPatch(corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                   activation: activation, setter: setter, axes: axes, options: options, attached: [])
    }

    /// `genericActivationPatch(…axes:)` with `attached` hooks running in every pass.
    func genericActivationPatch(corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                                activation: String, setter: PatchSetter, axes: [PatchAxis], options: PatchingOptions,
                                attached: [BoundHook]) throws -> Tensor {
        guard !axes.isEmpty else { throw LensError.invalidArgument("generic patching needs at least one index axis") }
        let positions = corruptedTokens.shape.last ?? 0
        let extents = axes.map { $0.extent(config: config, positions: positions, activation: activation) }
        let indices = Self.product(extents)
        let values = try patchMetrics(corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                      parts: [(activation, setter, indices)], label: activation, options: options,
                                      attached: attached)
        return Tensor(values[0], shape: extents)
    }

    /// `generic_activation_patch` with an explicit index table (TransformerLens's `index_df`): one metric
    /// per row of `indices`, `[indices.count]`. Rows start with the layer unless `activation` is a full
    /// hook name (which is then patched for every row).
    public func genericActivationPatch(corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                                       activation: String, setter: PatchSetter, indices: [[Int]],
                                       options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try genericActivationPatch(corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                   activation: activation, setter: setter, indices: indices, options: options, attached: [])
    }

    /// `genericActivationPatch(…indices:)` with `attached` hooks running in every pass.
    func genericActivationPatch(corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                                activation: String, setter: PatchSetter, indices: [[Int]], options: PatchingOptions,
                                attached: [BoundHook]) throws -> Tensor {
        let values = try patchMetrics(corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                      parts: [(activation, setter, indices)], label: activation, options: options,
                                      attached: attached)
        return Tensor(values[0], shape: [indices.count])
    }

    /// A ready-made sweep (`get_act_patch_…`): `cleanCache` activations patched into the run on
    /// `corruptedTokens`, with TransformerLens's output shape (see `PatchSweep`).
    public func actPatch(_ sweep: PatchSweep, corruptedTokens: Tensor, cleanCache: ActivationCache,
                         metric: PatchingMetric, options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try actPatch(sweep, corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric, options: options,
                     attached: [])
    }

    /// `actPatch(_:corruptedTokens:…)` with `attached` hooks running in every pass.
    func actPatch(_ sweep: PatchSweep, corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                  options: PatchingOptions, attached: [BoundHook]) throws -> Tensor {
        let positions = corruptedTokens.shape.last ?? 0
        let parts = try sweep.parts.map { part -> (String, PatchSetter, [[Int]]) in
            let (activation, setter, axes) = part.definition
            try checkHooks(of: part, activation: activation)
            return (activation, setter, Self.product(axes.map {
                $0.extent(config: config, positions: positions, activation: activation)
            }))
        }
        let values = try patchMetrics(corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                      parts: parts, label: sweep.rawValue, options: options, attached: attached)
        let results = zip(sweep.parts, values).map { part, flat in
            let (activation, _, axes) = part.definition
            return Tensor(flat, shape: axes.map { $0.extent(config: config, positions: positions, activation: activation) })
        }
        return sweep.combine(results, nHeads: config.nHeads)
    }

    /// A sweep from two token batches (`[batch, pos]`, same shape): runs the source side with a cache of the
    /// activations the sweep needs, then patches it into the other side (`.denoising`: clean into corrupted,
    /// TransformerLens's convention; `.noising`: corrupted into clean).
    public func actPatch(_ sweep: PatchSweep, clean: Tensor, corrupted: Tensor, direction: PatchDirection = .denoising,
                         metric: PatchingMetric, options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try actPatch(sweep, clean: clean, corrupted: corrupted, direction: direction, metric: metric, options: options,
                     attached: [])
    }

    /// `actPatch(_:clean:corrupted:…)` with `attached` hooks running in every pass, the source run's too.
    func actPatch(_ sweep: PatchSweep, clean: Tensor, corrupted: Tensor, direction: PatchDirection,
                  metric: PatchingMetric, options: PatchingOptions, attached: [BoundHook]) throws -> Tensor {
        guard clean.shape == corrupted.shape else {
            throw LensError.invalidArgument("clean tokens \(clean.shape) and corrupted tokens \(corrupted.shape) differ in shape")
        }
        let (patched, sourceTokens) = direction == .denoising ? (corrupted, clean) : (clean, corrupted)
        var names: [String] = []
        for part in sweep.parts {
            let activation = part.definition.activation
            try checkHooks(of: part, activation: activation)
            names += (0..<config.nLayers).map { getActName(activation, layer: $0) }
        }
        let (_, cache) = try runWithCache(sourceTokens, names: .names(names), posSlice: .all, stopAtLayer: nil,
                                          removeBatchDim: false, attentionMask: nil, bound: attached, tokenizer: nil)
        return try actPatch(sweep, corruptedTokens: patched, cleanCache: cache, metric: metric, options: options,
                            attached: attached)
    }

    /// Metrics for every index of every part, with one runner (and one progress bar) for all of them.
    private func patchMetrics(corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                              parts: [(String, PatchSetter, [[Int]])], label: String,
                              options: PatchingOptions, attached: [BoundHook]) throws -> [[Float]] {
        let tokens = corruptedTokens.rank == 1 ? corruptedTokens.unsqueezed(0) : corruptedTokens
        var record = Set<String>()
        for (activation, _, indices) in parts {
            record.formUnion(indices.compactMap(\.first).map { PatchRunner.hook(of: activation, layer: $0) })
        }
        let runner = try PatchRunner(model: self, tokens: tokens, source: cleanCache, metric: metric, options: options,
                                     attached: attached, record: record)
        let progress = ProgressBar("patching \(label)", total: parts.map(\.2.count).reduce(0, +),
                                   enabled: options.showProgress)
        defer { progress.finish() }
        return try parts.map { try runner.run(activation: $0.0, setter: $0.1, indices: $0.2, progress: progress) }
    }

    /// Throws when the model lacks the hook points a sweep patches (e.g. `resid_mid` of an attention-only model).
    private func checkHooks(of sweep: PatchSweep, activation: String) throws {
        let registry = hookRegistry
        for layer in 0..<config.nLayers where !registry.contains(getActName(activation, layer: layer)) {
            throw LensError.invalidArgument("the \(sweep.rawValue) sweep patches \(getActName(activation, layer: layer)), "
                                            + "which this model does not have")
        }
    }

    /// Every index of a grid with these extents, row-major (last axis fastest), like `itertools.product`.
    static func product(_ extents: [Int]) -> [[Int]] {
        var rows: [[Int]] = [[]]
        for extent in extents { rows = rows.flatMap { row in (0..<extent).map { row + [$0] } } }
        return rows
    }
}
