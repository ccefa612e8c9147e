import Foundation

extension ModelConfig {
    /// Reads a TransformerLens `HookedTransformerConfig` saved as JSON (its snake_case field names, as in
    /// `cfg.to_dict()` or the `config.json` of TransformerLens-format checkpoints): `n_layers`, `d_model`,
    /// `d_head`, `n_heads`, `d_vocab`, `n_ctx` are required; every other field takes TransformerLens's default.
    /// Throws `ModelConfigError` naming the file and the field.
    public init(transformerLens url: URL) throws {
        let json = try JSONFields(JSONValue.read(url), file: url.path)
        func flag(_ key: String, _ value: Bool = false) throws -> Bool { try json.bool(key, default: value) }
        func cap(_ key: String) throws -> Float? { try json.optionalDouble(key).flatMap { $0 > 0 ? Float($0) : nil } }
        self.init(dModel: try json.int("d_model"), dHead: try json.int("d_head"), nHeads: try json.int("n_heads"),
                  nLayers: try json.int("n_layers"), nCtx: try json.int("n_ctx"), dVocab: try json.int("d_vocab"))
        dMLP = try json.optionalInt("d_mlp")
        nKeyValueHeads = try json.optionalInt("n_key_value_heads")
        dVocabOut = try json.optionalInt("d_vocab_out").flatMap { $0 > 0 ? $0 : nil } ?? dVocab
        actFn = try Self.enumField(json, "act_fn", default: .relu, null: .relu)
        normalizationType = try Self.enumField(json, "normalization_type", default: .layerNorm,
                                               null: NormalizationType.none)
        positionalEmbeddingType = try Self.enumField(json, "positional_embedding_type", default: .standard)
        rotaryDim = try json.optionalInt("rotary_dim")
        rotaryBase = try json.optionalDouble("rotary_base") ?? 10000
        rotaryAdjacentPairs = try flag("rotary_adjacent_pairs")
        if try flag("use_NTK_by_parts_rope") {
            ropeScaling = .llama3(factor: try json.optionalDouble("NTK_by_parts_factor") ?? 8,
                                  lowFrequencyFactor: try json.optionalDouble("NTK_by_parts_low_freq_factor") ?? 1,
                                  highFrequencyFactor: try json.optionalDouble("NTK_by_parts_high_freq_factor") ?? 4,
                                  originalContextLength: try json.optionalInt("NTK_original_ctx_len") ?? 8192)
        }
        parallelAttnMLP = try flag("parallel_attn_mlp")
        gatedMLP = try flag("gated_mlp")
        finalRMS = try flag("final_rms")
        attnOnly = try flag("attn_only")
        useAttnScale = try flag("use_attn_scale", true)
        attnScale = try json.optionalDouble("attn_scale").flatMap { $0 > 0 ? Float($0) : nil }
        scaleAttnByInverseLayerIdx = try flag("scale_attn_by_inverse_layer_idx")
        attnScoresSoftCap = try cap("attn_scores_soft_cap")
        outputLogitsSoftCap = try cap("output_logits_soft_cap")
        windowSize = try json.optionalInt("window_size")
        if try flag("use_local_attn") || json.has("attn_types") {
            attnTypes = try json.optionalStrings("attn_types")?.map {
                guard let type = AttentionType(rawValue: $0) else {
                    throw ModelConfigError.invalidField("attn_types", file: json.file,
                                                        reason: "has unknown type \"\($0)\"")
                }
                return type
            }
        }
        eps = Float(try json.optionalDouble("eps") ?? 1e-5)
        useNormalizationBeforeAndAfter = try flag("use_normalization_before_and_after")
        useQKNorm = try flag("use_qk_norm")
        originalArchitecture = try json.optionalString("original_architecture")
        modelName = try json.optionalString("model_name")
        initMode = try Self.enumField(json, "init_mode", default: .gpt2)
        initializerRange = try json.optionalDouble("initializer_range").flatMap { $0 > 0 ? $0 : nil }
        seed = try json.optionalInt("seed").map { UInt64(truncatingIfNeeded: $0) }
        do { try validate() } catch ModelConfigError.invalidField(let field, "ModelConfig", let reason) {
            throw ModelConfigError.invalidField(field, file: json.file, reason: reason)
        }
    }

    /// A string-valued enum field; absent gives `fallback`, null gives `null` (or is an error without one).
    private static func enumField<E: RawRepresentable>(_ json: JSONFields, _ key: String, default fallback: E,
                                                       null: E? = nil) throws -> E where E.RawValue == String {
        if json.members[key] == nil { return fallback }
        guard let raw = try json.optionalString(key) else {
            guard let null else {
                throw ModelConfigError.invalidField(key, file: json.file, reason: "must not be null")
            }
            return null
        }
        guard let value = E(rawValue: raw) else {
            throw ModelConfigError.unsupportedSetting(key, file: json.file, reason: "\"\(raw)\"")
        }
        return value
    }
}
