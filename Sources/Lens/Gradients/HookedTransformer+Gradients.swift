/// The outcome of one forward and backward pass for a scalar metric.
public struct GradientRun {
    /// The logits: `[batch, pos, d_vocab_out]`, or `[batch, 1, d_vocab_out]` when only the last position was
    /// unembedded (a last-position metric with no hook or recording at the final norm or unembedding).
    public let logits: Tensor
    /// The metric's value.
    public let value: Float
    /// The activations asked for (empty when none were).
    public let activations: ActivationCache
    /// `∂metric/∂activation` at each hook point asked for, keyed by hook name in the order the backward pass
    /// reached them (the reverse of the forward order), in TransformerLens shapes.
    public let gradients: ActivationCache
    /// The hook points asked for whose gradient is exactly zero: the metric does not depend on them (or a backward
    /// hook cut the path). Empty when every gradient carries signal.
    public let zeroGradients: [String]
}

extension HookedTransformer {
    /// The gradient of `metric` at the hook points `gradientNames` selects (TransformerLens: backward hooks on
    /// those points and `metric(model(tokens)).backward()`), with the activations `activationNames` selects.
    ///
    /// Names are validated before anything runs (`LensError.unknownHook`, `.hookDisabled`). `hooks` run in the
    /// forward pass and are treated as the identity by the backward pass; `backwardHooks` see (and may replace) the
    /// gradient at their hook points, TransformerLens's `dir="bwd"`. Throws `BackwardError.gradientShapeMismatch`
    /// naming a backward hook that returns another shape, and `BackwardError.nonFiniteGradient` naming the first hook
    /// point (in backward order) whose gradient is not finite.
    public func runWithGradients(_ tokens: Tensor, metric: GradientMetric, gradientNames: HookNames = .all,
                                 activationNames: HookNames? = nil, attentionMask: Tensor? = nil,
                                 hooks: [(HookTarget, HookFunction)] = [],
                                 backwardHooks: [(HookTarget, HookFunction)] = []) throws -> GradientRun {
        try gradientRun(tokens, metric: metric, gradientNames: hookRegistry.resolve(gradientNames),
                        activationNames: activationNames.map { try hookRegistry.resolve($0) } ?? [],
                        bound: bind(hooks) + bind(backwardHooks, direction: .backward), attentionMask: attentionMask,
                        fullLogits: false)
    }

    /// TransformerLens's `run_with_cache(..., incl_bwd=True)` for `metric(logits)`: logits `[batch, pos,
    /// d_vocab_out]` and one cache holding the activations `names` selects under their names, then the gradients
    /// at the same hook points under `NAME_grad`, in the order the backward pass reached them.
    public func runWithCache(_ tokens: Tensor, inclBackward metric: GradientMetric, names: HookNames = .all,
                             attentionMask: Tensor? = nil, hooks: [(HookTarget, HookFunction)] = [],
                             backwardHooks: [(HookTarget, HookFunction)] = []) throws -> (Tensor, ActivationCache) {
        let selected = try hookRegistry.resolve(names)
        let run = try gradientRun(tokens, metric: metric, gradientNames: selected, activationNames: selected,
                                  bound: bind(hooks) + bind(backwardHooks, direction: .backward),
                                  attentionMask: attentionMask, fullLogits: true)
        let entries = Array(run.activations.map { ($0.name, $0.activation) })
            + run.gradients.map { ($0.name + "_grad", $0.activation) }
        return (run.logits, ActivationCache(entries, model: self))
    }

    /// `hooks` resolved to enabled hook names for the given pass.
    func bind(_ hooks: [(HookTarget, HookFunction)], direction: HookDirection) throws -> [BoundHook] {
        try bind(hooks).map { BoundHook(name: $0.name, function: $0.function, direction: direction) }
    }

    /// One recorded forward pass and its backward pass, with names already resolved.
    func gradientRun(_ tokens: Tensor, metric: GradientMetric, gradientNames: [String], activationNames: [String],
                     bound: [BoundHook], attentionMask: Tensor?, fullLogits: Bool) throws -> GradientRun {
        let isFinal = { (name: String) in name.hasPrefix("ln_final.") || name.hasPrefix("unembed.") }
        let lastOnly = !fullLogits && metric.positions == .last && !activationNames.contains(where: isFinal)
            && !bound.contains { isFinal($0.name) }
        let recorder = activationNames.isEmpty ? nil
            : CacheRecorder(names: activationNames, posSlice: .all, removeBatchDim: false)
        let forwardBound = bound.filter { $0.direction == .forward }
        let forwardHooks = forwardBound.isEmpty && recorder == nil ? nil : HookDispatcher(hooks: forwardBound, recorder: recorder)
        let pass = try forwardForBackward(tokens: tokens, attentionMask: attentionMask, hooks: forwardHooks,
                                          lastPositionOnly: lastOnly)
        let (value, gradient) = try metric(pass.logits)
        let dispatcher = GradientDispatcher(hooks: bound, record: gradientNames)
        try backward(pass, logitsGradient: gradient, hooks: dispatcher)
        let recorded = dispatcher.recorded
        let zero = recorded.filter { $0.1.abs().max().item() == 0 }.map(\.0)
        let activations = recorder.map { r in r.keys.map { ($0, r.values[$0]!) } } ?? []
        return GradientRun(logits: pass.logits, value: value, activations: ActivationCache(activations, model: self),
                           gradients: ActivationCache(recorded, model: self), zeroGradients: zero)
    }
}
