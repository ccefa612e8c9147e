/// The MLP non-linearity, named as TransformerLens and Hugging Face name it (`act_fn`).
public enum ActivationFunction: String, Sendable, CaseIterable, Codable {
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`
    case geluNew = "gelu_new"
    /// Exact GELU `0.5 x (1 + erf(x / √2))`.
    case gelu
    /// PyTorch's tanh-approximated GELU (same formula as `gelu_new`).
    case geluPytorchTanh = "gelu_pytorch_tanh"
    /// `0.5 x (1 + tanh(0.7978845608 x (1 + 0.044715 x²)))`
    case geluFast = "gelu_fast"
    /// `x · sigmoid(x)` (also called swish).
    case silu
    /// `max(x, 0)`
    case relu

    /// Parses a Hugging Face `hidden_act` / `activation_function` value (accepts the aliases `swish`,
    /// `gelu_fast`, `gelu_pytorch_tanh`, `gelu_new`).
    public init?(huggingFace name: String) {
        switch name {
        case "swish": self = .silu
        default: self.init(rawValue: name)
        }
    }
}

/// The normalisation layers a model uses (`normalization_type`): TransformerLens `LN`, `LNPre`, `RMS`,
/// `RMSPre` or none.
public enum NormalizationType: String, Sendable, CaseIterable, Codable {
    /// `(x - mean) / sqrt(var + eps) * w + b`
    case layerNorm = "LN"
    /// LayerNorm with `w` and `b` folded into the next linear layer: `(x - mean) / sqrt(var + eps)`.
    case layerNormPre = "LNPre"
    /// `x / sqrt(mean(x²) + eps) * w`
    case rmsNorm = "RMS"
    /// RMSNorm with `w` folded away: `x / sqrt(mean(x²) + eps)`.
    case rmsNormPre = "RMSPre"
    /// No normalisation layers.
    case none

    /// Whether the layer has no learned weights (`LNPre`, `RMSPre`).
    public var isFolded: Bool { self == .layerNormPre || self == .rmsNormPre }
    /// Whether the layer is an RMS variant.
    public var isRMS: Bool { self == .rmsNorm || self == .rmsNormPre }
}

/// How positions enter the model (`positional_embedding_type`).
public enum PositionalEmbeddingType: String, Sendable, CaseIterable, Codable {
    /// A learned `W_pos [n_ctx, d_model]` added to the embedding.
    case standard
    /// Rotary embeddings applied to queries and keys.
    case rotary
}

/// Whether a layer attends to every earlier position or only to a sliding window (`attn_types`).
public enum AttentionType: String, Sendable, CaseIterable, Codable {
    /// Every earlier position.
    case global
    /// The last `windowSize` positions (the query included).
    case local
}

/// Rotary frequency rescaling for long contexts (`rope_scaling` / `rope_parameters`).
public enum RopeScaling: Sendable, Equatable, Codable {
    /// Llama 3 NTK-by-parts: long wavelengths divided by `factor`, short kept, a smooth ramp between.
    case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContextLength: Int)
    /// Linear position interpolation: every inverse frequency divided by `factor`.
    case linear(factor: Double)
}

/// TransformerLens's `init_mode`: how the weight matrices (every `W_*`) of a new model are drawn. Biases start
/// at 0 and norm gains at 1 in every mode.
public enum InitMode: String, Sendable, CaseIterable, Codable {
    /// `N(0, initializer_range²)`, `initializer_range = 0.8 / √d_model` by default.
    case gpt2
    /// `U(±gain √(6 / (fan_in + fan_out)))`.
    case xavierUniform = "xavier_uniform"
    /// `N(0, gain² · 2 / (fan_in + fan_out))`.
    case xavierNormal = "xavier_normal"
    /// `U(±gain √2 √(3 / fan_in))` (ReLU gain).
    case kaimingUniform = "kaiming_uniform"
    /// `N(0, gain² · 2 / fan_in)` (ReLU gain).
    case kaimingNormal = "kaiming_normal"
    /// `N(0, s²)` with `s = 1` for the embeddings and `1 / √fan_in` otherwise.
    case muP
}
