/// Config readers for the Llama-style families: Llama, Mistral, Qwen2, Qwen3, Gemma and Gemma 2
/// (RMSNorm, gated MLP, half-split rotary, optional grouped-query attention).
extension HuggingFaceDescription {
    /// Llama 1/2/3, Mistral, Qwen2/2.5 and Qwen3.
    static func llamaFamily(_ json: JSONFields, _ architecture: HuggingFaceArchitecture) throws -> ModelConfig {
        if architecture == .llama { try require(json, "mlp_bias", is: false, default: false) }
        var config = try llamaShape(json)
        let kv = config.keyValueHeads
        // TransformerLens keeps grouped names for Mistral and Qwen2 even when every head has its own K/V.
        let alwaysGrouped = architecture == .mistral || architecture == .qwen2
        config.nKeyValueHeads = alwaysGrouped || kv != config.nHeads ? kv : nil
        config.actFn = try activation(json, "hidden_act")
        config.useQKNorm = architecture == .qwen3
        config.finalRMS = architecture != .mistral
        switch architecture {
        case .mistral:
            if let window = try json.optionalInt("sliding_window") {
                config.windowSize = window
                config.attnTypes = Array(repeating: .local, count: config.nLayers)
            }
        case .qwen2, .qwen3:
            let sliding = try json.bool("use_sliding_window", default: false)
            let firstSliding = try json.optionalInt("max_window_layers") ?? config.nLayers
            try applyLayerTypes(json, to: &config) { sliding && $0 >= firstSliding }
        default:
            break
        }
        return config
    }

    /// Gemma (GeGLU, `(1 + w)` RMSNorm, embeddings scaled by `sqrt(d_model)`) and Gemma 2 (plus sandwich
    /// norms, soft-capping, `query_pre_attn_scalar` and alternating local/global attention).
    static func gemma(_ json: JSONFields, _ architecture: HuggingFaceArchitecture) throws -> ModelConfig {
        var config = try llamaShape(json)
        config.nKeyValueHeads = config.keyValueHeads
        config.actFn = try activation(json, json.has("hidden_activation") ? "hidden_activation" : "hidden_act")
        guard architecture == .gemma2 else { return config }
        config.attnScale = Float(try json.optionalDouble("query_pre_attn_scalar") ?? 256).squareRoot()
        config.attnScoresSoftCap = try json.optionalDouble("attn_logit_softcapping").map(Float.init)
        config.outputLogitsSoftCap = try json.optionalDouble("final_logit_softcapping").map(Float.init)
        config.useNormalizationBeforeAndAfter = true
        try applyLayerTypes(json, to: &config) { $0 % 2 == 0 }
        return config
    }

    /// The fields every Llama-style config shares.
    private static func llamaShape(_ json: JSONFields) throws -> ModelConfig {
        let heads = try json.int("num_attention_heads")
        let dHead = try json.optionalInt("head_dim") ?? quotient(json, "hidden_size", "num_attention_heads")
        let positions = try json.int("max_position_embeddings")
        let rope = try HuggingFaceRope(json, maxPositions: positions)
        let config = ModelConfig(
            dModel: try json.int("hidden_size"), dHead: dHead, nHeads: heads,
            nLayers: try json.int("num_hidden_layers"), nCtx: positions, dVocab: try json.int("vocab_size"),
            dMLP: try json.int("intermediate_size"),
            nKeyValueHeads: try json.optionalInt("num_key_value_heads") ?? heads,
            normalizationType: .rmsNorm, positionalEmbeddingType: .rotary, rotaryDim: rope.rotaryDim(dHead: dHead),
            rotaryBase: rope.theta, ropeScaling: rope.scaling, gatedMLP: true, finalRMS: true,
            eps: Float(try json.optionalDouble("rms_norm_eps") ?? 1e-6))
        try config.validateSizes()
        return config
    }

    /// Sets local/global attention from `layer_types` (`sliding_attention` / `full_attention`), or from
    /// `isSliding(layer)` for configs written before `layer_types` existed, with `sliding_window` as the window.
    private static func applyLayerTypes(_ json: JSONFields, to config: inout ModelConfig,
                                        fallback isSliding: (Int) -> Bool) throws {
        let sliding: [Bool]
        if let types = try json.optionalStrings("layer_types") {
            guard types.count == config.nLayers else {
                throw ModelConfigError.invalidField("layer_types", file: json.file,
                                                    reason: "has \(types.count) entries for \(config.nLayers) layers")
            }
            sliding = try types.map {
                guard $0 == "sliding_attention" || $0 == "full_attention" else {
                    throw ModelConfigError.unsupportedSetting("layer_types", file: json.file, reason: "\"\($0)\"")
                }
                return $0 == "sliding_attention"
            }
        } else {
            sliding = (0..<config.nLayers).map(isSliding)
        }
        guard sliding.contains(true) else { return }
        guard let window = try json.optionalInt("sliding_window") else {
            throw ModelConfigError.missingField("sliding_window", file: json.file)
        }
        config.windowSize = window
        config.attnTypes = sliding.map { $0 ? .local : .global }
    }
}
