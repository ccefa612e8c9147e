extension HookedTransformer {
    /// Integrated gradients on an activation (Sundararajan et al. 2017, on activations as in Marks et al. 2024 and the
    /// EAP-IG library's `EAP-IG-activations`): the run on `corrupted` tokens with the activation at `hook` replaced by
    /// `a_k = corrupted + (k / steps)(clean − corrupted)`, `k = 1 … steps`, gives
    ///
    ///     attribution = (clean − corrupted) · (1 / steps) Σ_k ∂metric/∂a |_{a_k}
    ///
    /// in the activation's shape, whose sum approaches `metric(corrupted with the clean activation) − metric(corrupted)`
    /// as `steps` grows (completeness). The steps run stacked along the batch axis, `stepsPerPass` at a time.
    public func integratedGradients(hook: String, clean: Tensor, corrupted: Tensor, metric: GradientMetric,
                                    steps: Int = 20, stepsPerPass: Int = 8) throws -> Tensor {
        try hookRegistry.validate(hook)
        guard !hook.contains("q_norm."), !hook.contains("k_norm.") else {
            throw LensError.invalidArgument("integrated gradients need a hook point with a leading batch axis, not \(hook)")
        }
        guard steps > 0, stepsPerPass > 0 else { throw LensError.invalidArgument("integrated gradients need steps ≥ 1") }
        guard clean.shape == corrupted.shape else {
            throw LensError.invalidArgument("clean tokens \(clean.shape) and corrupted tokens \(corrupted.shape) differ in shape")
        }
        let tokens = corrupted.rank == 1 ? corrupted.unsqueezed(0) : corrupted
        let cleanValue = try runWithCache(clean, names: .names([hook])).1[hook]
        let corruptedValue = try runWithCache(tokens, names: .names([hook])).1[hook]
        let batch = tokens.shape[0]
        var total: Tensor?
        for first in stride(from: 1, through: steps, by: stepsPerPass) {
            let ks = Array(first...min(steps, first + stepsPerPass - 1))
            let points = Tensor.concat(ks.map { corruptedValue + (cleanValue - corruptedValue) * (Float($0) / Float(steps)) },
                                       axis: 0)
            let run = try runWithGradients(Tensor.concat(Array(repeating: tokens, count: ks.count), axis: 0),
                                           metric: metric.stacked(ks.count), gradientNames: .names([hook]),
                                           hooks: [(.name(hook), { _, _ in points })])
            let g = try run.gradients[hook]
            let summed = g.reshaped([ks.count, batch] + Array(g.shape.dropFirst())).sum(axis: 0)
            total = total.map { $0 + summed } ?? summed
        }
        return (cleanValue - corruptedValue) * total! / Float(steps)
    }
}
