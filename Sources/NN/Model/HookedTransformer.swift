import Foundation

/// A decoder-only transformer assembled from the layer modules, TransformerLens style: embedding,
/// (learned positions), blocks, final norm and unembedding, with a hook point at every TransformerLens
/// activation. Build it from a hand-written `ModelConfig` and a TransformerLens-named `StateDict`, or from a
/// Hugging Face folder with `init(pretrained:processing:)`.
public struct HookedTransformer: Sendable {
    /// The configuration the modules were built from (with the optional-hook flags).
    public private(set) var config: ModelConfig
    /// Token embedding (`embed`).
    public let embed: Embed
    /// Learned positions (`pos_embed`), nil for rotary models.
    public let posEmbed: PosEmbed?
    /// The transformer blocks (`blocks.L`).
    public let blocks: [TransformerBlock]
    /// Final norm (`ln_final`), nil without normalisation.
    public let lnFinal: (any NormalizationLayer)?
    /// Unembedding (`unembed`).
    public let unembed: Unembed
    /// Rotary embedding shared by every layer (rotary models only).
    public let rotary: Rotary?

    /// Builds the model `config` describes from TransformerLens-named weights, checking every tensor's
    /// shape. Weight matrices must be present; missing biases are zeros and missing norm gains ones, as
    /// TransformerLens fills them. Throws `ModelConfigError` for an inconsistent config and
    /// `CheckpointError` naming a missing or mis-shaped tensor.
    public init(config: ModelConfig, stateDict sd: StateDict) throws {
        try config.validate()
        if config.useAttnIn, config.nKeyValueHeads != nil {
            throw ModelConfigError.invalidField("useAttnIn", file: "ModelConfig",
                                                reason: "is not available with grouped key/value heads")
        }
        self.config = config
        let d = config.dModel
        embed = Embed(W_E: try sd.require("embed.W_E", shape: [config.dVocab, d]))
        posEmbed = config.positionalEmbeddingType == .standard
            ? PosEmbed(W_pos: try sd.require("pos_embed.W_pos", shape: [config.nCtx, d])) : nil
        rotary = config.positionalEmbeddingType == .rotary ? Rotary(config: config) : nil
        let rotary = rotary
        blocks = try (0..<config.nLayers).map {
            try TransformerBlock(layer: $0, config: config, stateDict: sd, rotary: rotary)
        }
        let finalKind = config.finalRMS && !config.normalizationType.isRMS && config.normalizationType != .none
            ? (config.normalizationType.isFolded ? .rmsNormPre : .rmsNorm) : config.normalizationType
        lnFinal = try Self.norm(finalKind, "ln_final", config, sd)
        unembed = Unembed(W_U: try sd.require("unembed.W_U", shape: [d, config.dVocabOut]),
                          b_U: try sd.optional("unembed.b_U", shape: [config.dVocabOut], fill: 0))
    }

    /// Reads a hand-written `config` and TransformerLens-named weights from a safetensors file.
    public init(config: ModelConfig, stateDict url: URL) throws {
        try self.init(config: config, stateDict: StateDict(safetensors: url))
    }

    /// The normalisation module `kind` at `name` with its weights from `sd` (nil for `.none`).
    static func norm(_ kind: NormalizationType, _ name: String, _ config: ModelConfig, _ sd: StateDict,
                     length: Int? = nil) throws -> (any NormalizationLayer)? {
        let n = length ?? config.dModel
        switch kind {
        case .layerNorm:
            return LayerNorm(name: name, w: try sd.optional(name + ".w", shape: [n], fill: 1),
                             b: try sd.optional(name + ".b", shape: [n], fill: 0), eps: config.eps)
        case .rmsNorm:
            return RMSNorm(name: name, w: try sd.optional(name + ".w", shape: [n], fill: 1), eps: config.eps)
        case .layerNormPre: return LayerNormPre(name: name, eps: config.eps)
        case .rmsNormPre: return RMSNormPre(name: name, eps: config.eps)
        case .none: return nil
        }
    }

    /// The per-head RMSNorm `name` (`q_norm` / `k_norm`) over `d_head` features.
    static func headNorm(_ name: String, _ config: ModelConfig, _ sd: StateDict) throws -> RMSNorm {
        RMSNorm(name: name, w: try sd.optional(name + ".w", shape: [config.dHead], fill: 1), eps: config.eps)
    }

    /// Turns the per-head result hook (`hook_result`, `[batch, pos, head, d_model]`) on or off.
    public mutating func setUseAttnResult(_ on: Bool) { config.useAttnResult = on }
    /// Turns the per-head split inputs (`hook_q_input`, `hook_k_input`, `hook_v_input`) on or off.
    public mutating func setUseSplitQKVInput(_ on: Bool) { config.useSplitQKVInput = on }
    /// Turns the MLP input hook (`hook_mlp_in`) on or off.
    public mutating func setUseHookMLPIn(_ on: Bool) { config.useHookMLPIn = on }
    /// Turns the per-head attention input hook (`hook_attn_in`) on or off; throws for grouped-query models.
    public mutating func setUseAttnIn(_ on: Bool) throws {
        if on, config.nKeyValueHeads != nil {
            throw ModelConfigError.invalidField("useAttnIn", file: "ModelConfig",
                                                reason: "is not available with grouped key/value heads")
        }
        config.useAttnIn = on
    }
}

extension TransformerBlock {
    /// Block `layer` of the model `config` describes, with weights from `sd`.
    init(layer: Int, config: ModelConfig, stateDict sd: StateDict, rotary: Rotary?) throws {
        let p = "blocks.\(layer)", d = config.dModel, dh = config.dHead
        let n = config.nHeads, kv = config.keyValueHeads
        let postKind: NormalizationType = config.normalizationType.isRMS ? .rmsNorm : .layerNorm
        let grouped = config.usesGroupedNames
        func kvName(_ base: String) -> (String, [String]) {
            grouped ? ("\(p).attn._\(base)", ["\(p).attn.\(base)"]) : ("\(p).attn.\(base)", ["\(p).attn._\(base)"])
        }
        func kvWeight(_ base: String) throws -> Tensor {
            let (name, alternatives) = kvName(base)
            return try sd.require(name, shape: [kv, d, dh], alternatives: alternatives)
        }
        func kvBias(_ base: String) throws -> Tensor {
            let (name, alternatives) = kvName(base)
            return try sd.optional(name, shape: [kv, dh], fill: 0, alternatives: alternatives)
        }
        let qkNorm = config.useQKNorm
        let attn = Attention(
            name: "\(p).attn", W_Q: try sd.require("\(p).attn.W_Q", shape: [n, d, dh]), W_K: try kvWeight("W_K"),
            W_V: try kvWeight("W_V"), W_O: try sd.require("\(p).attn.W_O", shape: [n, dh, d]),
            b_Q: try sd.optional("\(p).attn.b_Q", shape: [n, dh], fill: 0), b_K: try kvBias("b_K"),
            b_V: try kvBias("b_V"), b_O: try sd.optional("\(p).attn.b_O", shape: [d], fill: 0),
            scoreDivisor: config.attentionScoreDivisor(layer: layer), softCap: config.attnScoresSoftCap,
            window: config.attentionType(layer: layer) == .local ? config.windowSize : nil, rotary: rotary,
            qNorm: qkNorm ? try HookedTransformer.headNorm("\(p).attn.q_norm", config, sd) : nil,
            kNorm: qkNorm ? try HookedTransformer.headNorm("\(p).attn.k_norm", config, sd) : nil)
        let sandwich = config.useNormalizationBeforeAndAfter
        var mlp: (any MLPLayer)?
        if !config.attnOnly, let m = config.dMLP {
            let W_in = try sd.require("\(p).mlp.W_in", shape: [d, m])
            let W_out = try sd.require("\(p).mlp.W_out", shape: [m, d])
            let b_in = try sd.optional("\(p).mlp.b_in", shape: [m], fill: 0)
            let b_out = try sd.optional("\(p).mlp.b_out", shape: [d], fill: 0)
            mlp = config.gatedMLP
                ? GatedMLP(name: "\(p).mlp", W_gate: try sd.require("\(p).mlp.W_gate", shape: [d, m]), W_in: W_in,
                           b_in: b_in, W_out: W_out, b_out: b_out, act: config.actFn)
                : MLP(name: "\(p).mlp", W_in: W_in, b_in: b_in, W_out: W_out, b_out: b_out, act: config.actFn)
        }
        self.init(
            layer: layer, ln1: try HookedTransformer.norm(config.normalizationType, "\(p).ln1", config, sd),
            ln1Post: sandwich ? try HookedTransformer.norm(postKind, "\(p).ln1_post", config, sd) : nil, attn: attn,
            ln2: mlp == nil ? nil : try HookedTransformer.norm(config.normalizationType, "\(p).ln2", config, sd),
            ln2Post: sandwich && mlp != nil ? try HookedTransformer.norm(postKind, "\(p).ln2_post", config, sd) : nil,
            mlp: mlp, parallel: config.parallelAttnMLP)
    }
}
