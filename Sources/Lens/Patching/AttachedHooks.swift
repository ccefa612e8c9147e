/// The hooks attached to a `LensModel`, run inside a patching pass: on each of `copies` stacked copies of
/// the patched run (`[copies·batch, ...]`, split along the batch axis) exactly as they run on a single
/// `[batch, ...]` forward pass, so a hook written for the model's own runs sees the shapes it expects.
/// Then the patch (if any) is applied, as TransformerLens runs a model's hooks before `run_with_hooks`'s.
final class AttachedHooks: ActivationHooks {
    private let attached: HookDispatcher
    private let patch: (any ActivationHooks)?
    private let copies: Int

    /// `hooks` on `copies` stacked copies, followed by `patch`.
    init(_ hooks: [BoundHook], copies: Int, then patch: (any ActivationHooks)?) {
        attached = HookDispatcher(hooks: hooks, recorder: nil)
        (self.copies, self.patch) = (copies, patch)
    }

    func isActive(_ name: String) -> Bool { attached.isActive(name) || patch?.isActive(name) == true }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        var current = value
        if attached.isActive(name) {
            if copies == 1 {
                current = try attached.visit(name, value)
            } else {
                let rows = value.shape[0] / copies
                let parts = try (0..<copies).map { try attached.visit(name, value[($0 * rows)..<(($0 + 1) * rows)]) }
                current = try Tensor.concatenated(parts, axis: 0)
            }
        }
        guard let patch, patch.isActive(name) else { return current }
        return try patch.visit(name, current)
    }
}
