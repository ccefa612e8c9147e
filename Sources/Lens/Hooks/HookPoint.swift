/// A hook point as a hook function sees it: TransformerLens's `hook` argument, with its `name` and `layer()`.
public struct HookPoint: Sendable, Hashable, CustomStringConvertible {
    /// The full hook name, e.g. `blocks.3.attn.hook_pattern`.
    public let name: String
    /// The block index of a `blocks.L.…` hook, nil for `hook_embed`, `ln_final.…`, `unembed.…`.
    public let layer: Int?

    /// The hook point called `name`; `layer` is read from a `blocks.L.` prefix.
    public init(name: String) {
        self.name = name
        let parts = name.split(separator: ".", maxSplits: 2)
        layer = parts.count > 1 && parts[0] == "blocks" ? Int(parts[1]) : nil
    }

    /// `HookPoint(NAME)`.
    public var description: String { "HookPoint(\(name))" }
}

/// A forward hook: receives the activation and its hook point, returns nil to leave the activation as it
/// is or a replacement of the same shape (TransformerLens's `hook(activation, hook) -> activation | None`).
public typealias HookFunction = (_ activation: Tensor, _ hook: HookPoint) throws -> Tensor?

/// Which pass a hook runs in (TransformerLens's `dir`): the forward pass sees activations, the backward pass
/// sees the gradient of the metric with respect to them (`run_with_cache(incl_bwd=True)`, `dir="bwd"`).
public enum HookDirection: String, Sendable, CaseIterable {
    /// `dir="fwd"`: the function receives (and may replace) the activation.
    case forward = "fwd"
    /// `dir="bwd"`: the function receives (and may replace) the gradient at the hook point.
    case backward = "bwd"
}

/// Where a hook is attached: one hook name, or every enabled hook point whose name satisfies a predicate
/// (TransformerLens accepts both as the first element of a `fwd_hooks` pair).
public enum HookTarget: ExpressibleByStringInterpolation {
    /// The hook point with exactly this name (checked against the model before anything runs).
    case name(String)
    /// Every enabled hook point whose name makes the predicate true.
    case filter((String) -> Bool)

    /// A literal (also an interpolated one, `"blocks.\(layer).hook_resid_post"`) is an exact hook name.
    public init(stringLiteral value: String) { self = .name(value) }
}

/// Which activations `runWithCache` stores (TransformerLens's `names_filter`).
public enum HookNames: ExpressibleByStringInterpolation, ExpressibleByArrayLiteral {
    /// Every hook point the forward pass reaches.
    case all
    /// Exactly these hook names; each must exist and be enabled.
    case names([String])
    /// The enabled hook points whose name makes the predicate true.
    case filter((String) -> Bool)

    /// A single exact name (a literal, possibly interpolated).
    public init(stringLiteral value: String) { self = .names([value]) }
    /// A list of exact names.
    public init(arrayLiteral elements: String...) { self = .names(elements) }
}

/// The config flags that switch TransformerLens's optional hook points on.
public enum HookFlag: String, Sendable, CaseIterable {
    /// `hook_result`: per-head attention outputs `[batch, pos, head, d_model]`.
    case useAttnResult = "use_attn_result"
    /// `hook_q_input`, `hook_k_input`, `hook_v_input`: per-head copies of the attention input.
    case useSplitQKVInput = "use_split_qkv_input"
    /// `hook_attn_in`: one per-head copy of the attention input.
    case useAttnIn = "use_attn_in"
    /// `hook_mlp_in`: the MLP input.
    case useHookMLPIn = "use_hook_mlp_in"

    /// The flag that gates hook `name`, if it is an optional hook.
    static func gating(_ name: String) -> HookFlag? {
        if name.hasSuffix("attn.hook_result") { return .useAttnResult }
        if name.hasSuffix(".hook_q_input") || name.hasSuffix(".hook_k_input") || name.hasSuffix(".hook_v_input") {
            return .useSplitQKVInput
        }
        if name.hasSuffix(".hook_attn_in") { return .useAttnIn }
        if name.hasSuffix(".hook_mlp_in") { return .useHookMLPIn }
        return nil
    }

    /// `model` with this flag switched on (throws where the model cannot have it, e.g. `use_attn_in` with GQA).
    func enabled(on model: HookedTransformer) throws -> HookedTransformer {
        var copy = model
        switch self {
        case .useAttnResult: copy.setUseAttnResult(true)
        case .useSplitQKVInput: copy.setUseSplitQKVInput(true)
        case .useAttnIn: try copy.setUseAttnIn(true)
        case .useHookMLPIn: copy.setUseHookMLPIn(true)
        }
        return copy
    }
}
