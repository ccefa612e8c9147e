import Foundation
import NN
import Testing

/// `config.json` parsing against the TransformerLens configuration recorded in each fixture's manifest.
@Suite struct ConfigTests {
    /// The `tl_config` object of a fixture's `manifest.json`.
    static func transformerLensConfig(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: ModelFixture.folder(name).appendingPathComponent("manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(manifest["tl_config"] as? [String: Any])
    }

    /// Shape, activation, norm, rotary, attention and soft-cap fields equal TransformerLens's (where
    /// TransformerLens follows the checkpoint: `gpt_neox_theta` keeps its own rotary base, as transformers does).
    @Test(arguments: ModelFixture.checkpoints)
    func fieldsMatchTransformerLens(name: String) throws {
        let config = try ModelConfig(huggingFace: ModelFixture.folder(name))
        let tl = try Self.transformerLensConfig(name)
        func int(_ key: String) -> Int? { (tl[key] as? NSNumber)?.intValue }
        func float(_ key: String) -> Float? { (tl[key] as? NSNumber)?.floatValue }
        #expect(config.dModel == int("d_model"))
        #expect(config.dHead == int("d_head"))
        #expect(config.nHeads == int("n_heads"))
        #expect(config.nKeyValueHeads == int("n_key_value_heads"))
        #expect(config.dMLP == int("d_mlp"))
        #expect(config.nLayers == int("n_layers"))
        #expect(config.dVocab == int("d_vocab"))
        #expect(config.actFn.rawValue == tl["act_fn"] as? String)
        #expect(config.normalizationType.rawValue == tl["normalization_type"] as? String)
        #expect(config.positionalEmbeddingType.rawValue == tl["positional_embedding_type"] as? String)
        #expect(config.parallelAttnMLP == (tl["parallel_attn_mlp"] as? Bool))
        #expect(config.gatedMLP == (tl["gated_mlp"] as? Bool))
        #expect(config.finalRMS == (tl["final_rms"] as? Bool))
        #expect(config.eps == float("eps"))
        #expect(config.attentionScoreDivisor(layer: 0) == float("attn_scale"))
        #expect(config.useQKNorm == (tl["use_qk_norm"] as? Bool))
        #expect(config.useNormalizationBeforeAndAfter == (tl["use_normalization_before_and_after"] as? Bool))
        #expect(config.windowSize == int("window_size"))
        #expect(config.attnTypes?.map(\.rawValue) == tl["attn_types"] as? [String])
        #expect(config.attnScoresSoftCap == float("attn_scores_soft_cap").flatMap { $0 > 0 ? $0 : nil })
        #expect(config.outputLogitsSoftCap == float("output_logits_soft_cap").flatMap { $0 > 0 ? $0 : nil })
        if config.positionalEmbeddingType == .rotary {
            #expect(config.effectiveRotaryDim == int("rotary_dim"))
            #expect(config.rotaryAdjacentPairs == (tl["rotary_adjacent_pairs"] as? Bool))
            if name != "gpt_neox_theta" { #expect(Float(config.rotaryBase) == float("rotary_base")) }
        }
        if tl["use_NTK_by_parts_rope"] as? Bool == true {
            #expect(config.ropeScaling == .llama3(factor: Double(float("NTK_by_parts_factor")!),
                                                  lowFrequencyFactor: Double(float("NTK_by_parts_low_freq_factor")!),
                                                  highFrequencyFactor: Double(float("NTK_by_parts_high_freq_factor")!),
                                                  originalContextLength: int("NTK_original_ctx_len")!))
        } else {
            #expect(config.ropeScaling == nil)
        }
    }

    /// GPT-NeoX's pre-transformers-5 `rotary_emb_base` is read (transformers uses it; TransformerLens does not).
    @Test func neoxRotaryBaseFromOldKeys() throws {
        #expect(try ModelConfig(huggingFace: ModelFixture.folder("gpt_neox_theta")).rotaryBase == 1000)
    }

    /// A hand-written config is checked field by field.
    @Test func validationNamesTheField() {
        var config = ModelConfig(dModel: 64, dHead: 16, nHeads: 4, nLayers: 2, nCtx: 32, dVocab: 10, dMLP: 128,
                                 nKeyValueHeads: 3)
        #expect(throws: ModelConfigError.invalidField("nKeyValueHeads", file: "ModelConfig", reason: "3 does not divide nHeads 4")) {
            try config.validate()
        }
        config.nKeyValueHeads = 2
        config.attnTypes = [.local, .global]
        #expect(throws: ModelConfigError.self) { try config.validate() }
        config.windowSize = 4
        #expect(throws: Never.self) { try config.validate() }
    }
}
