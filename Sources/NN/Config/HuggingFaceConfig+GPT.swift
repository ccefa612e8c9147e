/// Config readers for the GPT-style families: GPT-2, GPT-NeoX, GPT-J, OPT and Phi.
extension HuggingFaceDescription {
    /// GPT-2: learned positions, LayerNorm, fused `c_attn`.
    static func gpt2(_ json: JSONFields) throws -> ModelConfig {
        let d = try json.int("n_embd")
        return ModelConfig(
            dModel: d, dHead: try quotient(json, "n_embd", "n_head"), nHeads: try json.int("n_head"),
            nLayers: try json.int("n_layer"), nCtx: try json.optionalInt("n_ctx") ?? json.int("n_positions"),
            dVocab: try json.int("vocab_size"), dMLP: try json.optionalInt("n_inner") ?? fourTimes(json, "n_embd"),
            actFn: try activation(json, "activation_function"), normalizationType: .layerNorm,
            useAttnScale: try json.bool("scale_attn_weights", default: true),
            scaleAttnByInverseLayerIdx: try json.bool("scale_attn_by_inverse_layer_idx", default: false),
            eps: Float(try json.optionalDouble("layer_norm_epsilon") ?? 1e-5))
    }

    /// GPT-NeoX / Pythia: partial half-split rotary, parallel attention and MLP by default.
    static func gptNeoX(_ json: JSONFields) throws -> ModelConfig {
        let dHead = try quotient(json, "hidden_size", "num_attention_heads")
        let positions = try json.int("max_position_embeddings")
        let rope = try HuggingFaceRope(json, maxPositions: positions)
        return ModelConfig(
            dModel: try json.int("hidden_size"), dHead: dHead, nHeads: try json.int("num_attention_heads"),
            nLayers: try json.int("num_hidden_layers"), nCtx: positions, dVocab: try json.int("vocab_size"),
            dMLP: try json.int("intermediate_size"), actFn: try activation(json, "hidden_act"),
            normalizationType: .layerNorm, positionalEmbeddingType: .rotary, rotaryDim: rope.rotaryDim(dHead: dHead),
            rotaryBase: rope.theta, ropeScaling: rope.scaling,
            parallelAttnMLP: try json.bool("use_parallel_residual", default: true),
            eps: Float(try json.optionalDouble("layer_norm_eps") ?? 1e-5))
    }

    /// GPT-J: adjacent-pair rotary on the first `rotary_dim` features, one LayerNorm shared by the
    /// parallel attention and MLP.
    static func gptj(_ json: JSONFields) throws -> ModelConfig {
        let d = try json.int("n_embd")
        let dHead = try quotient(json, "n_embd", "n_head")
        return ModelConfig(
            dModel: d, dHead: dHead, nHeads: try json.int("n_head"), nLayers: try json.int("n_layer"),
            nCtx: try json.int("n_positions"), dVocab: try json.int("vocab_size"),
            dMLP: try json.optionalInt("n_inner") ?? fourTimes(json, "n_embd"), actFn: try activation(json, "activation_function"),
            normalizationType: .layerNorm, positionalEmbeddingType: .rotary,
            rotaryDim: try json.optionalInt("rotary_dim") ?? dHead, rotaryBase: 10000, rotaryAdjacentPairs: true,
            parallelAttnMLP: true, eps: Float(try json.optionalDouble("layer_norm_epsilon") ?? 1e-5))
    }

    /// OPT (pre-norm variants): learned positions offset by 2, ReLU MLP.
    static func opt(_ json: JSONFields) throws -> ModelConfig {
        try require(json, "do_layer_norm_before", is: true, default: true)
        try require(json, "_remove_final_layer_norm", is: false, default: false)
        let d = try json.int("hidden_size")
        if let projection = try json.optionalInt("word_embed_proj_dim"), projection != d {
            throw ModelConfigError.unsupportedSetting("word_embed_proj_dim", file: json.file,
                                                      reason: "\(projection) differs from hidden_size \(d)")
        }
        return ModelConfig(
            dModel: d, dHead: try quotient(json, "hidden_size", "num_attention_heads"),
            nHeads: try json.int("num_attention_heads"), nLayers: try json.int("num_hidden_layers"),
            nCtx: try json.int("max_position_embeddings"), dVocab: try json.int("vocab_size"),
            dMLP: try json.int("ffn_dim"), actFn: try activation(json, "activation_function"),
            normalizationType: .layerNorm, eps: 1e-5)
    }

    /// Phi (Phi-1/1.5/2): partial half-split rotary, one LayerNorm shared by parallel attention and MLP.
    static func phi(_ json: JSONFields) throws -> ModelConfig {
        try require(json, "qk_layernorm", is: false, default: false)
        let heads = try json.int("num_attention_heads")
        let dHead = try quotient(json, "hidden_size", "num_attention_heads")
        let kv = try json.optionalInt("num_key_value_heads") ?? heads
        let rope = try HuggingFaceRope(json, maxPositions: try json.optionalInt("max_position_embeddings"))
        return ModelConfig(
            dModel: try json.int("hidden_size"), dHead: dHead, nHeads: heads,
            nLayers: try json.int("num_hidden_layers"), nCtx: try json.int("max_position_embeddings"),
            dVocab: try json.int("vocab_size"), dMLP: try json.int("intermediate_size"),
            nKeyValueHeads: kv == heads ? nil : kv, actFn: try activation(json, "hidden_act"),
            normalizationType: .layerNorm, positionalEmbeddingType: .rotary, rotaryDim: rope.rotaryDim(dHead: dHead),
            rotaryBase: rope.theta, ropeScaling: rope.scaling, parallelAttnMLP: true,
            eps: Float(try json.optionalDouble("layer_norm_eps") ?? 1e-5))
    }
}
