/// Activation patching on a `LensModel`: the `HookedTransformer` sweeps with the model's attached hooks
/// running in every pass (before the patch), as TransformerLens's `patching` functions keep a model's hooks
/// during `run_with_hooks`. A sweep over a model with hooks attached keeps the fast path's reuse of lower
/// layers and its batching; each attached hook runs once per patched copy, on `[batch, ...]` as usual.
extension LensModel {
    /// `HookedTransformer.actPatch(_:corruptedTokens:cleanCache:metric:options:)` with the attached hooks.
    public func actPatch(_ sweep: PatchSweep, corruptedTokens: Tensor, cleanCache: ActivationCache,
                         metric: PatchingMetric, options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try transformer.actPatch(sweep, corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                 options: options, attached: hooks(plus: []))
    }

    /// `HookedTransformer.actPatch(_:clean:corrupted:direction:metric:options:)` with the attached hooks, which
    /// also run in the pass that caches the source activations.
    public func actPatch(_ sweep: PatchSweep, clean: Tensor, corrupted: Tensor, direction: PatchDirection = .denoising,
                         metric: PatchingMetric, options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try transformer.actPatch(sweep, clean: clean, corrupted: corrupted, direction: direction, metric: metric,
                                 options: options, attached: hooks(plus: []))
    }

    /// `HookedTransformer.genericActivationPatch(…axes:)` with the attached hooks.
    public func genericActivationPatch(corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                                       activation: String, setter: PatchSetter, axes: [PatchAxis],
                                       options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try transformer.genericActivationPatch(corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                               activation: activation, setter: setter, axes: axes, options: options,
                                               attached: hooks(plus: []))
    }

    /// `HookedTransformer.genericActivationPatch(…indices:)` with the attached hooks.
    public func genericActivationPatch(corruptedTokens: Tensor, cleanCache: ActivationCache, metric: PatchingMetric,
                                       activation: String, setter: PatchSetter, indices: [[Int]],
                                       options: PatchingOptions = PatchingOptions()) throws -> Tensor {
        try transformer.genericActivationPatch(corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric,
                                               activation: activation, setter: setter, indices: indices,
                                               options: options, attached: hooks(plus: []))
    }
}
