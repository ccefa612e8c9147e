/// Observes or replaces activations at TransformerLens hook points during a forward pass.
///
/// At every hook point (`hook_embed`, `blocks.0.attn.hook_pattern`, ... with TransformerLens's exact names and
/// shapes) the model first asks `isActive(name)`; only if it answers true does it call `visit(name, value)` and
/// continue with the returned tensor, which must have the same shape. A run without hooks, or whose hooks are
/// inactive, does no extra work. Optional hook points (`hook_result`, `hook_attn_in`, `hook_q_input`,
/// `hook_k_input`, `hook_v_input`, `hook_mlp_in`) exist only when their `ModelConfig` flag is on.
public protocol ActivationHooks {
    /// Whether `visit` must be called for the hook point `name`.
    func isActive(_ name: String) -> Bool
    /// Receives the activation at `name`; returns it unchanged or a replacement of the same shape.
    func visit(_ name: String, _ value: Tensor) throws -> Tensor
}

/// The hooks of one forward pass, with the shape check every hook point shares.
struct HookRunner {
    /// The user's hooks, if any.
    let hooks: (any ActivationHooks)?

    /// Whether `name` will be visited.
    @inline(__always) func isActive(_ name: String) -> Bool {
        guard let hooks else { return false }
        return hooks.isActive(name)
    }

    /// `value`, or the active hook's replacement for it (same shape, else `ForwardError.hookShapeMismatch`).
    func callAsFunction(_ name: String, _ value: Tensor) throws -> Tensor {
        guard let hooks, hooks.isActive(name) else { return value }
        let result = try hooks.visit(name, value)
        guard result.shape == value.shape else {
            throw ForwardError.hookShapeMismatch(hook: name, expected: value.shape, found: result.shape)
        }
        return result
    }
}

extension Tensor {
    /// Whether `other` is this very view (same storage, offset, shape and strides): a hook returned its input.
    func isSameView(as other: Tensor) -> Bool {
        storage === other.storage && offset == other.offset && shape == other.shape && strides == other.strides
    }
}
