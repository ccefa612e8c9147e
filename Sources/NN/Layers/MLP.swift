import Kernels

extension ActivationFunction {
    /// The elementwise function this activation computes.
    var unaryOp: UnaryOp {
        switch self {
        case .geluNew, .geluPytorchTanh: return .geluNew
        case .gelu: return .gelu
        case .geluFast: return .geluFast
        case .silu: return .silu
        case .relu: return .relu
        }
    }

    /// The activation applied elementwise to `x`.
    public func apply(_ x: Tensor) -> Tensor { x.map(unaryOp) }
}

/// A block's feed-forward module, with hook points `NAME.hook_pre`, (`NAME.hook_pre_linear`), `NAME.hook_post`.
public protocol MLPLayer: Sendable {
    /// The module's TransformerLens path, e.g. `blocks.0.mlp`.
    var name: String { get }
    /// Input projection `[d_model, d_mlp]`.
    var W_in: Tensor { get }
    /// Input bias `[d_mlp]`.
    var b_in: Tensor { get }
    /// Output projection `[d_mlp, d_model]`.
    var W_out: Tensor { get }
    /// Output bias `[d_model]`.
    var b_out: Tensor { get }
    /// `x [batch, pos, d_model]` to `[batch, pos, d_model]`.
    func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor
}

/// Feed-forward layer: `act(x W_in + b_in) W_out + b_out`. Weights keep the dtype and layout they are given in.
public struct MLP: MLPLayer {
    /// TransformerLens path, e.g. `blocks.0.mlp`.
    public let name: String
    /// Input projection `[d_model, d_mlp]`.
    public let W_in: Tensor
    /// Input bias `[d_mlp]`.
    public let b_in: Tensor
    /// Output projection `[d_mlp, d_model]`.
    public let W_out: Tensor
    /// Output bias `[d_model]`.
    public let b_out: Tensor
    /// The non-linearity.
    public let act: ActivationFunction

    /// An MLP at `name` with TransformerLens-shaped weights.
    public init(name: String, W_in: Tensor, b_in: Tensor, W_out: Tensor, b_out: Tensor, act: ActivationFunction) {
        self.name = name
        self.W_in = W_in
        self.b_in = b_in.contiguousFloat32()
        self.W_out = W_out
        self.b_out = b_out.contiguousFloat32()
        self.act = act
    }

    /// `x [batch, pos, d_model]` through the MLP, with `hook_pre` and `hook_post`.
    public func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor {
        let run = HookRunner(hooks: hooks)
        let pre = try run(name + ".hook_pre", linear(x, W_in, bias: b_in))
        let post = try run(name + ".hook_post", act.apply(pre))
        return linear(post, W_out, bias: b_out)
    }
}

/// Gated feed-forward layer (SwiGLU, GeGLU): `(act(x W_gate) * (x W_in) + b_in) W_out + b_out`. Weights keep the
/// dtype and layout they are given in.
public struct GatedMLP: MLPLayer {
    /// TransformerLens path, e.g. `blocks.0.mlp`.
    public let name: String
    /// Gate projection `[d_model, d_mlp]`.
    public let W_gate: Tensor
    /// Linear (up) projection `[d_model, d_mlp]`.
    public let W_in: Tensor
    /// Bias added after the gated product `[d_mlp]`.
    public let b_in: Tensor
    /// Output projection `[d_mlp, d_model]`.
    public let W_out: Tensor
    /// Output bias `[d_model]`.
    public let b_out: Tensor
    /// The non-linearity applied to the gate.
    public let act: ActivationFunction

    /// A gated MLP at `name` with TransformerLens-shaped weights.
    public init(name: String, W_gate: Tensor, W_in: Tensor, b_in: Tensor, W_out: Tensor, b_out: Tensor,
                act: ActivationFunction) {
        self.name = name
        self.W_gate = W_gate
        self.W_in = W_in
        self.b_in = b_in.contiguousFloat32()
        self.W_out = W_out
        self.b_out = b_out.contiguousFloat32()
        self.act = act
    }

    /// `x [batch, pos, d_model]` through the gated MLP, with `hook_pre`, `hook_pre_linear` and `hook_post`.
    public func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor {
        let run = HookRunner(hooks: hooks)
        let pre = try run(name + ".hook_pre", linear(x, W_gate, bias: nil))
        let preLinear = try run(name + ".hook_pre_linear", linear(x, W_in, bias: nil))
        let post = try run(name + ".hook_post", pre.gated(act.unaryOp, preLinear) + b_in)
        return linear(post, W_out, bias: b_out)
    }
}
