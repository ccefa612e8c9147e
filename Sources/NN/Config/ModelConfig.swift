/// The shape and conventions of a decoder-only transformer, following TransformerLens's
/// `HookedTransformerConfig` field by field (`d_model` is `dModel`, `n_key_value_heads` is `nKeyValueHeads`, ...).
///
/// Write one by hand to compose a new architecture from the layer modules, or read one from a
/// Hugging Face `config.json` with `init(huggingFace:)`. `validate()` checks every field (see `ModelConfig+Validation.swift`); every reader and
/// `HookedTransformer(config:stateDict:)` run it before any size is used.
public struct ModelConfig: Sendable, Equatable, Codable {
    /// Width of the residual stream.
    public var dModel: Int
    /// Width of each attention head.
    public var dHead: Int
    /// Number of query heads.
    public var nHeads: Int
    /// Number of key/value heads for grouped-query attention; nil means one per query head.
    public var nKeyValueHeads: Int?
    /// Width of the MLP hidden layer (nil for attention-only models).
    public var dMLP: Int?
    /// Number of transformer blocks.
    public var nLayers: Int
    /// Maximum context length (rows of `W_pos` for learned positions).
    public var nCtx: Int
    /// Input vocabulary size (rows of `W_E`).
    public var dVocab: Int
    /// Output vocabulary size (columns of `W_U`); usually `dVocab`.
    public var dVocabOut: Int
    /// MLP non-linearity.
    public var actFn: ActivationFunction
    /// Normalisation layers.
    public var normalizationType: NormalizationType
    /// Learned or rotary positions.
    public var positionalEmbeddingType: PositionalEmbeddingType
    /// Number of leading head features rotated (rotary only); nil means all of `dHead`.
    public var rotaryDim: Int?
    /// Rotary base `θ`: feature pair `i` turns by `pos / θ^(2i / rotaryDim)`.
    public var rotaryBase: Double
    /// GPT-J style rotation of adjacent feature pairs `(2i, 2i+1)` instead of GPT-NeoX halves `(i, i + r/2)`.
    public var rotaryAdjacentPairs: Bool
    /// Long-context rescaling of rotary frequencies.
    public var ropeScaling: RopeScaling?
    /// Attention and MLP read the same residual and both add to it (GPT-J, NeoX, Phi).
    public var parallelAttnMLP: Bool
    /// MLP is `(act(x W_gate) * (x W_in) + b_in) W_out + b_out` (SwiGLU / GeGLU).
    public var gatedMLP: Bool
    /// The final norm is RMS even though blocks use LayerNorm.
    public var finalRMS: Bool
    /// Blocks have no MLP.
    public var attnOnly: Bool
    /// Divide attention scores by `attnScale`.
    public var useAttnScale: Bool
    /// Attention score divisor; nil means `sqrt(dHead)`.
    public var attnScale: Float?
    /// Also divide the scores of layer `l` by `l + 1` (GPT-2 option).
    public var scaleAttnByInverseLayerIdx: Bool
    /// `cap * tanh(scores / cap)` before masking (Gemma 2).
    public var attnScoresSoftCap: Float?
    /// `cap * tanh(logits / cap)` on the output logits (Gemma 2).
    public var outputLogitsSoftCap: Float?
    /// Keys visible to a local layer: `query - windowSize < key <= query`.
    public var windowSize: Int?
    /// Per-layer global or local attention; nil means all global.
    public var attnTypes: [AttentionType]?
    /// Normalisation epsilon.
    public var eps: Float
    /// Extra RMSNorms on the attention and MLP outputs (`ln1_post`, `ln2_post`, Gemma 2).
    public var useNormalizationBeforeAndAfter: Bool
    /// RMSNorm on each query and key head before rotation (`q_norm`, `k_norm`, Qwen 3).
    public var useQKNorm: Bool
    /// Compute and expose the per-head attention output `hook_result` (costly; off by default).
    public var useAttnResult: Bool
    /// Give each head its own copy of the attention input (`hook_q_input`, `hook_k_input`, `hook_v_input`).
    public var useSplitQKVInput: Bool
    /// Give each head its own copy of the attention input (`hook_attn_in`).
    public var useAttnIn: Bool
    /// Expose the MLP input as `hook_mlp_in`.
    public var useHookMLPIn: Bool
    /// Hugging Face architecture the weights came from (e.g. `LlamaForCausalLM`), if any.
    public var originalArchitecture: String?
    /// Beginning-of-sequence token id, if known.
    public var bosTokenID: Int?
    /// End-of-sequence token ids (generation stops on any of them).
    public var eosTokenIDs: [Int]
    /// Padding token id, if known.
    public var padTokenID: Int?
    /// The model's name (TransformerLens `model_name`; the folder name or `_name_or_path` of a loaded checkpoint).
    public var modelName: String?
    /// How `HookedTransformer(config:)` draws the weight matrices (TransformerLens `init_mode`).
    public var initMode: InitMode = .gpt2
    /// TransformerLens `initializer_range`: the standard deviation of `.gpt2` initialisation (nil means
    /// `0.8 / √d_model`) or the gain of the other modes (nil means 1).
    public var initializerRange: Double?
    /// Seed of `HookedTransformer(config:)`'s random weights (TransformerLens `seed`); nil means 0.
    public var seed: UInt64?

    /// A configuration with TransformerLens's defaults for every field not given.
    public init(
        dModel: Int, dHead: Int, nHeads: Int, nLayers: Int, nCtx: Int, dVocab: Int,
        dMLP: Int? = nil, nKeyValueHeads: Int? = nil, dVocabOut: Int? = nil,
        actFn: ActivationFunction = .relu, normalizationType: NormalizationType = .layerNorm,
        positionalEmbeddingType: PositionalEmbeddingType = .standard, rotaryDim: Int? = nil,
        rotaryBase: Double = 10000, rotaryAdjacentPairs: Bool = false, ropeScaling: RopeScaling? = nil,
        parallelAttnMLP: Bool = false, gatedMLP: Bool = false, finalRMS: Bool = false, attnOnly: Bool = false,
        useAttnScale: Bool = true, attnScale: Float? = nil, scaleAttnByInverseLayerIdx: Bool = false,
        attnScoresSoftCap: Float? = nil, outputLogitsSoftCap: Float? = nil,
        windowSize: Int? = nil, attnTypes: [AttentionType]? = nil, eps: Float = 1e-5,
        useNormalizationBeforeAndAfter: Bool = false, useQKNorm: Bool = false,
        originalArchitecture: String? = nil, bosTokenID: Int? = nil, eosTokenIDs: [Int] = [], padTokenID: Int? = nil
    ) {
        self.dModel = dModel
        self.dHead = dHead
        self.nHeads = nHeads
        self.nLayers = nLayers
        self.nCtx = nCtx
        self.dVocab = dVocab
        self.dMLP = dMLP
        self.nKeyValueHeads = nKeyValueHeads
        self.dVocabOut = dVocabOut ?? dVocab
        self.actFn = actFn
        self.normalizationType = normalizationType
        self.positionalEmbeddingType = positionalEmbeddingType
        self.rotaryDim = rotaryDim
        self.rotaryBase = rotaryBase
        self.rotaryAdjacentPairs = rotaryAdjacentPairs
        self.ropeScaling = ropeScaling
        self.parallelAttnMLP = parallelAttnMLP
        self.gatedMLP = gatedMLP
        self.finalRMS = finalRMS
        self.attnOnly = attnOnly
        self.useAttnScale = useAttnScale
        self.attnScale = attnScale
        self.scaleAttnByInverseLayerIdx = scaleAttnByInverseLayerIdx
        self.attnScoresSoftCap = attnScoresSoftCap
        self.outputLogitsSoftCap = outputLogitsSoftCap
        self.windowSize = windowSize
        self.attnTypes = attnTypes
        self.eps = eps
        self.useNormalizationBeforeAndAfter = useNormalizationBeforeAndAfter
        self.useQKNorm = useQKNorm
        self.useAttnResult = false
        self.useSplitQKVInput = false
        self.useAttnIn = false
        self.useHookMLPIn = false
        self.originalArchitecture = originalArchitecture
        self.bosTokenID = bosTokenID
        self.eosTokenIDs = eosTokenIDs
        self.padTokenID = padTokenID
    }

    /// Key/value heads per layer (`nKeyValueHeads ?? nHeads`).
    public var keyValueHeads: Int { nKeyValueHeads ?? nHeads }
    /// Whether the weights use the grouped-query names `_W_K`, `_W_V`, `_b_K`, `_b_V`.
    public var usesGroupedNames: Bool { nKeyValueHeads != nil }
    /// Rotated features per head (`rotaryDim ?? dHead`).
    public var effectiveRotaryDim: Int { rotaryDim ?? dHead }

    /// Global or local attention for `layer`.
    public func attentionType(layer: Int) -> AttentionType {
        guard let types = attnTypes, layer < types.count else { return .global }
        return types[layer]
    }

    /// The divisor applied to the attention scores of `layer`:
    /// `(useAttnScale ? attnScale ?? sqrt(dHead) : 1) * (scaleAttnByInverseLayerIdx ? layer + 1 : 1)`.
    public func attentionScoreDivisor(layer: Int) -> Float {
        var scale: Float = useAttnScale ? (attnScale ?? Float(dHead).squareRoot()) : 1
        if scaleAttnByInverseLayerIdx { scale *= Float(layer + 1) }
        return scale
    }
}
