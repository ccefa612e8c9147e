/// The hooks of one batched patching pass: at hook point `name`, the activation holds `variants.count`
/// copies of the patched run stacked along the batch axis (`[variants·batch, ...]`), and copy `v` receives
/// the patch for `variants[v]` from `source` (`[batch, ...]`). When the pass computes only the positions
/// from `offset` on (earlier ones come from a key/value cache), the source is cut to those positions and the
/// indices are shifted to match.
final class PatchHooks: ActivationHooks {
    /// The hook point patched.
    let name: String
    /// The source run's activation at `name`, `[batch, ...]`, from position `offset` on.
    let source: Tensor
    /// How an index is written.
    let setter: PatchSetter
    /// One index row per stacked copy (shifted by `offset`).
    let variants: [[Int]]

    init(name: String, source: Tensor, setter: PatchSetter, variants: [[Int]], offset: Int = 0) throws {
        self.name = name
        self.setter = setter
        self.variants = variants.map { setter.shifted($0, by: offset) }
        self.source = offset == 0 ? source
            : try source.indexed([TensorIndex](repeating: .all, count: ActivationRegion(hook: name).positionAxis)
                                 + [.slice(start: offset, end: nil, step: 1)])
    }

    /// Whether a pass may start at a later position for this hook: a block's hook with positions on the
    /// usual axis (the QK-norm hooks flatten positions away).
    static func allowsPositionOffset(_ hook: String) -> Bool {
        HookPoint(name: hook).layer != nil && !hook.contains("q_norm") && !hook.contains("k_norm")
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
    /// `layer`, continuing `cache` when given) with `hooks`; with `lastPosition` only the last position is
    /// unembedded (`[batch, 1, vocab]`) unless a hook sits at the final norm or unembedding, and when no hook
    /// sits in the last block or after it, that block too computes only what the last position needs.
    func logits(fromResidual residual: Tensor, layer: Int, cache: KVCache? = nil, hooks: any ActivationHooks,
                lastPosition: Bool) throws -> Tensor {
        let n = config.nLayers
        let unembeddingHooked = hookPointNames.contains {
            ($0.hasPrefix("ln_final.") || $0.hasPrefix("unembed.")) && hooks.isActive($0)
        }
        guard lastPosition, layer < n, !unembeddingHooked else {
            return try forward(residual: residual, startAtLayer: layer, cache: cache, hooks: hooks)
        }
        guard lastBlockHook(in: hooks) != nil else {
            return try lastPositionLogits(residual: residual, startAtLayer: layer, cache: cache, hooks: hooks)
        }
        let final = try forward(residual: residual, startAtLayer: layer, stopAtLayer: n, cache: cache, hooks: hooks)
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
