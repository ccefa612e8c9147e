/// Runs patches of one activation kind on a fixed patched run: `tokens` (`[batch, pos]`) are the run being
/// patched, `source` the cache whose activations are patched in, `metric` scores each patched run.
struct PatchRunner {
    let model: HookedTransformer
    let tokens: Tensor
    let source: ActivationCache
    let metric: PatchingMetric
    let options: PatchingOptions
    /// The patched run's residual before each block and after the last (`[batch, pos, d_model]`), fast path only.
    private let residuals: [Tensor]

    /// A runner; the fast strategy first caches the patched run's residual stream at every block boundary.
    init(model: HookedTransformer, tokens: Tensor, source: ActivationCache, metric: PatchingMetric,
         options: PatchingOptions) throws {
        guard tokens.rank == 2, tokens.count > 0 else {
            throw LensError.invalidArgument("patching needs tokens [batch, pos], got \(tokens.shape)")
        }
        guard source.hasBatchDim, source.batchSize == tokens.shape[0] else {
            throw LensError.invalidArgument("the source cache must keep its batch axis of \(tokens.shape[0]) rows")
        }
        (self.model, self.tokens, self.source, self.metric, self.options) = (model, tokens, source, metric, options)
        guard options.strategy == .fast else {
            residuals = []
            return
        }
        let n = model.config.nLayers
        let names = (0..<n).map { "blocks.\($0).hook_resid_pre" } + ["blocks.\(n - 1).hook_resid_post"]
        let (_, cache) = try model.runWithCache(tokens, names: .names(names))
        residuals = try names.map { try cache[$0] }
    }

    var batch: Int { tokens.shape[0] }
    var positions: Int { tokens.shape[1] }

    /// The metric after each patch `indices[i]` of `activation` (a `getActName` short name whose layer is
    /// the index's first entry, or a full hook name used for every index) written by `setter`.
    func run(activation: String, setter: PatchSetter, indices: [[Int]], progress: ProgressBar) throws -> [Float] {
        var results = [Float](repeating: 0, count: indices.count)
        for (hook, members) in try groups(activation: activation, setter: setter, indices: indices) {
            let clean = try source[hook]
            switch options.strategy {
            case .naive:
                for i in members {
                    let hooks = PatchHooks(name: hook, source: clean, setter: setter, variants: [indices[i]])
                    results[i] = try metric(model.forward(tokens: tokens, hooks: hooks))
                    progress.advance(by: 1)
                }
            case .fast:
                let chunk = variantsPerPass()
                for start in stride(from: 0, to: members.count, by: chunk) {
                    let part = Array(members[start..<min(start + chunk, members.count)])
                    let hooks = PatchHooks(name: hook, source: clean, setter: setter, variants: part.map { indices[$0] })
                    let logits = try stackedLogits(hook: hook, copies: part.count, hooks: hooks)
                    for (v, i) in part.enumerated() {
                        results[i] = try metric(logits[(v * batch)..<((v + 1) * batch)])
                    }
                    progress.advance(by: part.count)
                }
            }
        }
        return results
    }

    /// Index rows grouped by the hook point they patch, in first-seen order (each index checked).
    private func groups(activation: String, setter: PatchSetter, indices: [[Int]]) throws -> [(String, [Int])] {
        let registry = model.hookRegistry
        let fullName = activation.contains(".") || activation.hasPrefix("hook_")
        var order: [String] = [], members: [String: [Int]] = [:]
        for (i, index) in indices.enumerated() {
            if let length = setter.indexLength, index.count != length {
                throw LensError.invalidArgument("patch index \(index) has \(index.count) entries, the setter reads \(length)")
            }
            guard let layer = index.first, fullName || (0..<model.config.nLayers).contains(layer) else {
                throw LensError.invalidArgument("patch index \(index) does not start with a layer of \(model.config.nLayers)")
            }
            let hook = fullName ? activation : getActName(activation, layer: layer)
            if members[hook] == nil {
                try registry.validate(hook)
                order.append(hook)
            }
            members[hook, default: []].append(i)
        }
        return order.map { ($0, members[$0]!) }
    }

    /// Logits of `copies` stacked copies of the patched run, starting at the block that holds `hook` from
    /// the cached residual; only the metric's positions are unembedded when the hook is inside a block.
    private func stackedLogits(hook: String, copies: Int, hooks: PatchHooks) throws -> Tensor {
        let n = model.config.nLayers
        let layer = HookPoint(name: hook).layer ?? (hook.hasPrefix("ln_final.") || hook.hasPrefix("unembed.") ? n : nil)
        guard let layer else {
            return try model.forward(tokens: tokens.repeated([copies, 1]), hooks: hooks)
        }
        return try model.logits(fromResidual: residuals[layer].repeated([copies, 1, 1]), layer: layer, hooks: hooks,
                                lastPosition: metric.positions == .last)
    }

    /// Copies per stacked pass so that one pass stays under `maxBatchBytes` (an estimate of the largest
    /// live activations of one row: residual copies, q/k/v, scores and pattern, MLP hidden, logits).
    private func variantsPerPass() -> Int {
        let c = model.config, p = positions
        let unembedded = metric.positions == .last ? 1 : p
        let perPosition = 12 * c.dModel + 3 * (c.dMLP ?? 0) + 2 * (c.nHeads + 2 * c.keyValueHeads) * c.dHead
        let floats = p * perPosition + 3 * c.nHeads * p * p + 2 * unembedded * c.dVocabOut
        return max(1, options.maxBatchBytes / max(1, floats * 4 * batch))
    }
}
