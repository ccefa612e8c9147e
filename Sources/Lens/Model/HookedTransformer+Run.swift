extension HookedTransformer {
    /// The model's output for `tokens` (`[batch, pos]` or `[pos]` ids) with `hooks` attached for this one pass
    /// (TransformerLens's `run_with_hooks(tokens, fwd_hooks=...)`). Each hook gets the activation and its
    /// `HookPoint` and returns nil (observe) or a same-shape replacement; hooks at one point run in list order.
    ///
    /// Every named target is checked before anything runs: an unknown name throws `LensError.unknownHook`
    /// with the closest names, an optional hook whose flag is off `LensError.hookDisabled`. A replacement of
    /// another shape throws `ForwardError.hookShapeMismatch` naming the hook and both shapes. Output: logits
    /// `[batch, pos, d_vocab_out]`, or the residual before block `stopAtLayer`.
    public func runWithHooks(_ tokens: Tensor, hooks: [(HookTarget, HookFunction)], attentionMask: Tensor? = nil,
                             stopAtLayer: Int? = nil) throws -> Tensor {
        try run(tokens, bound: bind(hooks), recorder: nil, attentionMask: attentionMask, stopAtLayer: stopAtLayer)
    }

    /// The output and an `ActivationCache` of the activations `names` selects (TransformerLens's
    /// `run_with_cache`): every hook point by default, or exact names (validated before anything runs,
    /// like `runWithHooks`), or a predicate over the enabled names.
    ///
    /// `posSlice` is applied to each saved activation's position axis (third from last for `q k v z result`,
    /// second from last otherwise; an `.index` keeps the axis with extent 1, as TransformerLens does),
    /// `removeBatchDim` keeps row 0 of a batch of one. `stopAtLayer` ends the
    /// pass before that block and returns the residual. `hooks` run before the activations are saved, so the
    /// cache holds what the pass actually used. Only the selected hook points do any extra work.
    public func runWithCache(_ tokens: Tensor, names: HookNames = .all, posSlice: AxisSlice = .all,
                             stopAtLayer: Int? = nil, removeBatchDim: Bool = false, attentionMask: Tensor? = nil,
                             hooks: [(HookTarget, HookFunction)] = []) throws -> (Tensor, ActivationCache) {
        try runWithCache(tokens, names: names, posSlice: posSlice, stopAtLayer: stopAtLayer,
                         removeBatchDim: removeBatchDim, attentionMask: attentionMask, bound: bind(hooks), tokenizer: nil)
    }

    /// `runWithCache` with hooks already resolved, recording the given tokenizer in the cache.
    func runWithCache(_ tokens: Tensor, names: HookNames, posSlice: AxisSlice, stopAtLayer: Int?,
                      removeBatchDim: Bool, attentionMask: Tensor?, bound: [BoundHook],
                      tokenizer: Tokenizer?) throws -> (Tensor, ActivationCache) {
        let selected = try hookRegistry.resolve(names)
        let (batch, positions) = tokens.rank == 1 ? (1, tokens.shape[0]) : (tokens.shape.first ?? 0, tokens.shape.last ?? 0)
        if removeBatchDim, batch != 1 {
            throw LensError.invalidArgument("removeBatchDim needs a batch of one, got \(batch)")
        }
        _ = try posSlice.positions(count: positions)
        // As in TransformerLens, an integer position keeps its axis in the cache.
        var kept = posSlice
        if case let .index(i) = posSlice { kept = .indices([i]) }
        let recorder = CacheRecorder(names: selected, posSlice: kept, removeBatchDim: removeBatchDim)
        let output = try run(tokens, bound: bound, recorder: recorder, attentionMask: attentionMask,
                             stopAtLayer: stopAtLayer)
        let cache = ActivationCache(recorder.keys.map { ($0, recorder.values[$0]!) }, model: self,
                                    tokenizer: tokenizer, hasBatchDim: !removeBatchDim)
        return (output, cache)
    }

    /// `hooks` with every target resolved to enabled hook names (throws before any compute).
    func bind(_ hooks: [(HookTarget, HookFunction)]) throws -> [BoundHook] {
        let registry = hookRegistry
        var bound: [BoundHook] = []
        for (target, function) in hooks {
            for name in try registry.resolve(target) { bound.append(BoundHook(name: name, function: function)) }
        }
        return bound
    }

    /// One forward pass with `bound` hooks and an optional recorder; a pass with neither runs unhooked.
    func run(_ tokens: Tensor, bound: [BoundHook], recorder: CacheRecorder?, attentionMask: Tensor?,
             stopAtLayer: Int?) throws -> Tensor {
        let hooks: (any ActivationHooks)? = bound.isEmpty && recorder == nil
            ? nil : HookDispatcher(hooks: bound, recorder: recorder)
        return try forward(tokens: tokens, attentionMask: attentionMask, stopAtLayer: stopAtLayer, hooks: hooks)
    }
}
