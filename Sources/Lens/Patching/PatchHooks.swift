/// The hooks of one batched patching pass: at hook point `name`, the activation holds `variants.count`
/// copies of the patched run stacked along the batch axis (`[variants·batch, ...]`), and copy `v` receives
/// the patch for `variants[v]` from `source` (`[batch, ...]`).
final class PatchHooks: ActivationHooks {
    /// The hook point patched.
    let name: String
    /// The source run's activation at `name`, `[batch, ...]`.
    let source: Tensor
    /// How an index is written.
    let setter: PatchSetter
    /// One index row per stacked copy.
    let variants: [[Int]]

    init(name: String, source: Tensor, setter: PatchSetter, variants: [[Int]]) {
        self.name = name
        self.source = source
        self.setter = setter
        self.variants = variants
    }

    func isActive(_ hook: String) -> Bool { hook == name }

    func visit(_ hook: String, _ value: Tensor) throws -> Tensor {
        let batch = source.shape.first ?? 0
        guard batch > 0, value.shape.first == batch * variants.count,
              Array(value.shape.dropFirst()) == Array(source.shape.dropFirst()) else {
            throw LensError.invalidArgument("patching \(name): the source activation \(source.shape) does not match "
                                            + "the run's \(value.shape) for \(variants.count) patch(es)")
        }
        var patched = value
        for (v, index) in variants.enumerated() {
            try setter.apply(&patched, rows: (v * batch)..<((v + 1) * batch), index: index, source: source)
        }
        return patched
    }
}

extension HookedTransformer {
    /// Logits of blocks `layer…` run on `residual` (`[batch, pos, d_model]`, the residual before block
    /// `layer`) with `hooks`; with `lastPosition` only the last position is unembedded (`[batch, 1, vocab]`).
    func logits(fromResidual residual: Tensor, layer: Int, hooks: any ActivationHooks, lastPosition: Bool) throws -> Tensor {
        let n = config.nLayers
        guard lastPosition, layer < n else { return try forward(residual: residual, startAtLayer: layer, hooks: hooks) }
        let final = try forward(residual: residual, startAtLayer: layer, stopAtLayer: n, hooks: hooks)
        return try unembedResidual(final[.all, (residual.shape[1] - 1)...])
    }

    /// Final norm, unembedding and output soft-cap on a final residual `[batch, pos, d_model]` (no hooks):
    /// the logits the full forward pass would return for those positions.
    func unembedResidual(_ residual: Tensor) throws -> Tensor {
        let normed = try lnFinal?.forward(residual, hooks: nil) ?? residual
        let logits = try unembed.forward(normed, hooks: nil)
        guard let cap = config.outputLogitsSoftCap else { return logits }
        return (logits / cap).tanh() * cap
    }
}
