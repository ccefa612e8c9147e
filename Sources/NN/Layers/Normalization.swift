/// A normalisation module over the last axis with TransformerLens's two hook points,
/// `NAME.hook_scale` (`[..., 1]`) and `NAME.hook_normalized` (the input's shape).
public protocol NormalizationLayer: Sendable {
    /// The module's TransformerLens path, e.g. `blocks.0.ln1` or `ln_final`.
    var name: String { get }
    /// Which of the four variants this is.
    var kind: NormalizationType { get }
    /// Normalises `x [..., length]`, calling the hooks at `hook_scale` and `hook_normalized`.
    func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor
}

/// The shared normalise-and-hook step: `normalized = centred(x) / scale`, then `· w + b` when given. A hook
/// that replaces `scale` rescales the normalised value exactly as TransformerLens recomputes `x / scale`.
/// Without active hooks the affine step is fused into the normalisation pass.
private func normalize(_ x: Tensor, rms: Bool, eps: Float, w: Tensor?, b: Tensor?, name: String,
                       hooks: HookRunner) throws -> Tensor {
    let scaleName = name + ".hook_scale", normalizedName = name + ".hook_normalized"
    guard hooks.isActive(scaleName) || hooks.isActive(normalizedName) else {
        return rms ? x.rmsNormalized(eps: eps, weight: w).normalized
            : x.layerNormalized(eps: eps, weight: w, bias: b).normalized
    }
    var (normalized, scale) = rms ? x.rmsNormalized(eps: eps) : x.layerNormalized(eps: eps)
    let hooked = try hooks(scaleName, scale)
    if !hooked.isSameView(as: scale) { normalized = normalized * (scale / hooked) }
    normalized = try hooks(normalizedName, normalized)
    if let w { normalized = normalized * w }
    if let b { normalized = normalized + b }
    return normalized
}

/// LayerNorm: `(x - mean(x)) / sqrt(mean((x - mean(x))²) + eps) * w + b`.
public struct LayerNorm: NormalizationLayer {
    /// TransformerLens path of the module.
    public let name: String
    /// The variant.
    public var kind: NormalizationType { .layerNorm }
    /// Gain `[length]`.
    public let w: Tensor
    /// Bias `[length]`.
    public let b: Tensor
    /// Epsilon inside the square root.
    public let eps: Float

    /// A LayerNorm at `name` with gain `w` and bias `b`.
    public init(name: String, w: Tensor, b: Tensor, eps: Float) {
        self.name = name
        self.w = w.contiguousFloat32()
        self.b = b.contiguousFloat32()
        self.eps = eps
    }

    /// `x [..., length]` normalised, with `hook_scale` and `hook_normalized`.
    public func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor {
        try normalize(x, rms: false, eps: eps, w: w, b: b, name: name, hooks: HookRunner(hooks: hooks))
    }
}

/// LayerNorm with its weights folded into the next layer: `(x - mean(x)) / sqrt(mean((x - mean(x))²) + eps)`.
public struct LayerNormPre: NormalizationLayer {
    /// TransformerLens path of the module.
    public let name: String
    /// The variant.
    public var kind: NormalizationType { .layerNormPre }
    /// Epsilon inside the square root.
    public let eps: Float

    /// A LayerNormPre at `name`.
    public init(name: String, eps: Float) {
        self.name = name
        self.eps = eps
    }

    /// `x [..., length]` normalised, with `hook_scale` and `hook_normalized`.
    public func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor {
        try normalize(x, rms: false, eps: eps, w: nil, b: nil, name: name, hooks: HookRunner(hooks: hooks))
    }
}

/// RMSNorm: `x / sqrt(mean(x²) + eps) * w`.
public struct RMSNorm: NormalizationLayer {
    /// TransformerLens path of the module.
    public let name: String
    /// The variant.
    public var kind: NormalizationType { .rmsNorm }
    /// Gain `[length]` (Gemma's `1 + w` already added).
    public let w: Tensor
    /// Epsilon inside the square root.
    public let eps: Float

    /// An RMSNorm at `name` with gain `w`.
    public init(name: String, w: Tensor, eps: Float) {
        self.name = name
        self.w = w.contiguousFloat32()
        self.eps = eps
    }

    /// `x [..., length]` normalised, with `hook_scale` and `hook_normalized`.
    public func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor {
        try normalize(x, rms: true, eps: eps, w: w, b: nil, name: name, hooks: HookRunner(hooks: hooks))
    }
}

/// RMSNorm with its gain folded into the next layer: `x / sqrt(mean(x²) + eps)`.
public struct RMSNormPre: NormalizationLayer {
    /// TransformerLens path of the module.
    public let name: String
    /// The variant.
    public var kind: NormalizationType { .rmsNormPre }
    /// Epsilon inside the square root.
    public let eps: Float

    /// An RMSNormPre at `name`.
    public init(name: String, eps: Float) {
        self.name = name
        self.eps = eps
    }

    /// `x [..., length]` normalised, with `hook_scale` and `hook_normalized`.
    public func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor {
        try normalize(x, rms: true, eps: eps, w: nil, b: nil, name: name, hooks: HookRunner(hooks: hooks))
    }
}
