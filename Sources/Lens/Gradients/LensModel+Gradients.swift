/// Gradient runs on a `LensModel`: the attached hooks run too, forward ones in the forward pass and those added
/// with `dir: .backward` in the backward pass, before the ones given to the call.
extension LensModel {
    /// `HookedTransformer.runWithGradients` with the attached hooks.
    public func runWithGradients(_ tokens: Tensor, metric: GradientMetric, gradientNames: HookNames = .all,
                                 activationNames: HookNames? = nil, attentionMask: Tensor? = nil,
                                 hooks: [(HookTarget, HookFunction)] = [],
                                 backwardHooks: [(HookTarget, HookFunction)] = []) throws -> GradientRun {
        let registry = transformer.hookRegistry
        return try transformer.gradientRun(
            tokens, metric: metric, gradientNames: registry.resolve(gradientNames),
            activationNames: activationNames.map { try registry.resolve($0) } ?? [],
            bound: self.hooks(plus: hooks) + transformer.bind(backwardHooks, direction: .backward),
            attentionMask: attentionMask, fullLogits: false)
    }

    /// `HookedTransformer.runWithCache(_:inclBackward:…)` (`run_with_cache(incl_bwd=True)`) with the attached hooks.
    public func runWithCache(_ tokens: Tensor, inclBackward metric: GradientMetric, names: HookNames = .all,
                             attentionMask: Tensor? = nil) throws -> (Tensor, ActivationCache) {
        let selected = try transformer.hookRegistry.resolve(names)
        let run = try transformer.gradientRun(tokens, metric: metric, gradientNames: selected, activationNames: selected,
                                              bound: hooks(plus: []), attentionMask: attentionMask, fullLogits: true)
        let entries = Array(run.activations.map { ($0.name, $0.activation) })
            + run.gradients.map { ($0.name + "_grad", $0.activation) }
        return (run.logits, ActivationCache(entries, model: transformer, tokenizer: tokenizer))
    }
}
