/// Runs patches of one activation kind on a fixed patched run: `tokens` (`[batch, pos]`) are the run being
/// patched, `source` the cache whose activations are patched in, `metric` scores each patched run; `attached`
/// hooks (a `LensModel`'s) run in every pass before the patch.
struct PatchRunner {
    let model: HookedTransformer
    let tokens: Tensor
    let source: ActivationCache
    let metric: PatchingMetric
    let options: PatchingOptions
    let attached: [BoundHook]
    /// The patched run's residual before each block and after the last (`[batch, pos, d_model]`), fast path only.
    private let residuals: [Tensor]
    /// The patched run's keys and values at every block (`[batch, pos, n_kv, d_head]`), fast path only.
    private let keys: [Tensor], values: [Tensor]
    /// The patched run's own activation at each hook point in `record`, fast path only.
    private let own: [String: Tensor]
    /// The metric of the unpatched run: the result of every patch that writes only values the run already has.
    private let baseline: Float

    /// A runner; the fast strategy first caches the patched run's residual stream at every block boundary,
    /// its keys and values, and its activations at the hook points in `record` (those the sweep patches).
    init(model: HookedTransformer, tokens: Tensor, source: ActivationCache, metric: PatchingMetric,
         options: PatchingOptions, attached: [BoundHook] = [], record: Set<String> = []) throws {
        guard tokens.rank == 2, tokens.count > 0 else {
            throw LensError.invalidArgument("patching needs tokens [batch, pos], got \(tokens.shape)")
        }
        guard source.hasBatchDim, source.batchSize == tokens.shape[0] else {
            throw LensError.invalidArgument("the source cache must keep its batch axis of \(tokens.shape[0]) rows")
        }
        (self.model, self.tokens, self.source, self.metric, self.options) = (model, tokens, source, metric, options)
        self.attached = attached
        guard options.strategy == .fast else {
            (residuals, keys, values, own, baseline) = ([], [], [], [:], 0)
            return
        }
        let n = model.config.nLayers
        let names = (0..<n).map { "blocks.\($0).hook_resid_pre" } + ["blocks.\(n - 1).hook_resid_post"]
        let recorder = ResidualRecorder(names: Set(names).union(record))
        let cache = KVCache(layers: n, batch: tokens.shape[0])
        baseline = try metric(model.forward(tokens: tokens, cache: cache,
                                            hooks: AttachedHooks(attached, copies: 1, then: recorder)))
        own = recorder.values.filter { record.contains($0.key) }
        residuals = try names.map { name in
            guard let value = recorder.values[name] else { throw LensError.missingActivation(name, suggestions: []) }
            return value
        }
        keys = (0..<n).map { cache.keys(layer: $0)! }
        values = (0..<n).map { cache.values(layer: $0)! }
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
                    let patch = try PatchHooks(name: hook, source: clean, setter: setter, variants: [indices[i]])
                    let hooks = AttachedHooks(attached, copies: 1, then: patch)
                    results[i] = try metric(model.forward(tokens: tokens, hooks: hooks))
                    progress.advance(by: 1)
                }
            case .fast:
                // Attached hooks see whole runs, so a pass then starts at the first position.
                let shifts = PatchHooks.allowsPositionOffset(hook) && attached.isEmpty
                let same = shifts ? unchangedPrefix(hook, source: clean) : 0
                var live: [Int] = [], offsets: [Int] = []
                for i in members {
                    let first = shifts ? setter.firstPosition(indices[i]) : 0
                    let start = setter.writesOnePosition ? first : max(first, same)
                    if start < positions, !setter.writesOnePosition || first >= same {
                        live.append(i)
                        offsets.append(start)
                    } else {
                        results[i] = baseline
                        progress.advance(by: 1)
                    }
                }
                for chunk in chunks(live, offsets: offsets) {
                    let offset = chunk.map { offsets[$0] }.min()!
                    let part = chunk.map { live[$0] }
                    let patch = try PatchHooks(name: hook, source: clean, setter: setter, variants: part.map { indices[$0] },
                                               offset: offset)
                    let hooks = AttachedHooks(attached, copies: part.count, then: patch)
                    let logits = try stackedLogits(hook: hook, copies: part.count, offset: offset, hooks: hooks)
                    for (v, i) in part.enumerated() {
                        results[i] = try metric(logits[(v * batch)..<((v + 1) * batch)])
                    }
                    progress.advance(by: part.count)
                }
            }
        }
        return results
    }

    /// Whether `activation` is a full hook name (patched at every index) rather than a `getActName` short name.
    static func isFullName(_ activation: String) -> Bool { activation.contains(".") || activation.hasPrefix("hook_") }

    /// The hook point a patch of `activation` at `layer` writes.
    static func hook(of activation: String, layer: Int) -> String {
        isFullName(activation) ? activation : getActName(activation, layer: layer)
    }

    /// Leading positions at which `source` equals the patched run's own activation at `hook` exactly (every
    /// batch row and entry). Patching them writes what is already there: runs on tokens that share a prefix
    /// agree on it in a causal model, so a sweep needs to recompute only from the first differing position.
    private func unchangedPrefix(_ hook: String, source: Tensor) -> Int {
        guard let mine = own[hook], mine.shape == source.shape else { return 0 }
        let axis = ActivationRegion(hook: hook).positionAxis
        let order = [axis] + source.shape.indices.filter { $0 != axis }
        let a = mine.permuted(order).contiguous().scalars, b = source.permuted(order).contiguous().scalars
        let width = a.count / max(1, positions)
        var p = 0
        while p < positions, a[(p * width)..<((p + 1) * width)] == b[(p * width)..<((p + 1) * width)] { p += 1 }
        return p
    }

    /// Index rows grouped by the hook point they patch, in first-seen order (each index checked).
    private func groups(activation: String, setter: PatchSetter, indices: [[Int]]) throws -> [(String, [Int])] {
        let registry = model.hookRegistry
        let fullName = Self.isFullName(activation)
        var order: [String] = [], members: [String: [Int]] = [:]
        for (i, index) in indices.enumerated() {
            if let length = setter.indexLength, index.count != length {
                throw LensError.invalidArgument("patch index \(index) has \(index.count) entries, the setter reads \(length)")
            }
            guard let layer = index.first, fullName || (0..<model.config.nLayers).contains(layer) else {
                throw LensError.invalidArgument("patch index \(index) does not start with a layer of \(model.config.nLayers)")
            }
            if setter.indexLength != nil, !(0..<positions).contains(setter.firstPosition(index)) {
                throw LensError.invalidArgument("patch index \(index) names a position outside \(positions) tokens")
            }
            let hook = Self.hook(of: activation, layer: layer)
            if members[hook] == nil {
                try registry.validate(hook)
                order.append(hook)
            }
            members[hook, default: []].append(i)
        }
        return order.map { ($0, members[$0]!) }
    }

    /// Stacked passes over positions of `members` (by index into `offsets`, each patch's first changed
    /// position): members sorted by that position; a pass holds at most the copies that fit `maxBatchBytes`,
    /// and only patches whose first position lies within a quarter of the remaining length of the pass's
    /// first one, so little is recomputed for patches that start later.
    private func chunks(_ members: [Int], offsets: [Int]) -> [[Int]] {
        let order = members.indices.sorted { (offsets[$0], $0) < (offsets[$1], $1) }
        var result: [[Int]] = [], current: [Int] = []
        var first = 0
        for k in order {
            let limit = variantsPerPass(length: positions - (current.isEmpty ? offsets[k] : first))
            if !current.isEmpty, current.count >= limit || offsets[k] - first > (positions - first) / 4 {
                result.append(current)
                current = []
            }
            if current.isEmpty { first = offsets[k] }
            current.append(k)
        }
        if !current.isEmpty { result.append(current) }
        return result
    }

    /// Logits of `copies` stacked copies of the patched run, starting at the block that holds `hook` from
    /// the cached residual at positions `offset…` (earlier positions' keys and values from the cache); only
    /// the metric's positions are unembedded when the hook is inside a block.
    private func stackedLogits(hook: String, copies: Int, offset: Int, hooks: AttachedHooks) throws -> Tensor {
        let n = model.config.nLayers
        let layer = HookPoint(name: hook).layer ?? (hook.hasPrefix("ln_final.") || hook.hasPrefix("unembed.") ? n : nil)
        guard let layer else {
            return try model.forward(tokens: tokens.repeated([copies, 1]), hooks: hooks)
        }
        var cache: KVCache?
        if offset > 0 {
            let prefix = { (t: Tensor) in t[.all, 0..<offset].repeated([copies, 1, 1, 1]) }
            cache = try KVCache(keys: (0..<n).map { $0 >= layer ? prefix(keys[$0]) : nil },
                                values: (0..<n).map { $0 >= layer ? prefix(values[$0]) : nil })
        }
        let start = residuals[layer][.all, offset...].repeated([copies, 1, 1])
        return try model.logits(fromResidual: start, layer: layer, cache: cache, hooks: hooks,
                                lastPosition: metric.positions == .last)
    }

    /// Copies per stacked pass over `length` positions so that one pass stays under `maxBatchBytes` (an
    /// estimate of the largest live activations of one row: residual copies, q/k/v, scores and pattern, MLP
    /// hidden, logits).
    private func variantsPerPass(length p: Int) -> Int {
        let c = model.config, keys = positions
        let unembedded = metric.positions == .last ? 1 : p
        let perPosition = 12 * c.dModel + 3 * (c.dMLP ?? 0) + 2 * (c.nHeads + 2 * c.keyValueHeads) * c.dHead
        let floats = p * perPosition + 3 * c.nHeads * p * keys + 2 * unembedded * c.dVocabOut
        return max(1, options.maxBatchBytes / max(1, floats * 4 * batch))
    }
}

/// Keeps the activations at a few hook points of one pass.
final class ResidualRecorder: ActivationHooks {
    private let names: Set<String>
    private(set) var values: [String: Tensor] = [:]

    init(names: Set<String>) { self.names = names }

    func isActive(_ name: String) -> Bool { names.contains(name) }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        values[name] = value
        return value
    }
}
