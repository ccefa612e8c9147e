import Foundation
import NN
import Testing

/// Forward parity of every architecture against transformers (unprocessed weights) and TransformerLens
/// (processed weights), on the fixtures of `Scripts/fixtures/models.py`.
@Suite struct ModelParityTests {
    /// Unprocessed logits equal transformers' fp32 eager logits within 1e-4 (relative to the largest magnitude
    /// when above 1).
    @Test(arguments: ModelFixture.checkpoints)
    func unprocessedLogitsMatchTransformers(name: String) throws {
        let model = try ModelFixture.model(name, processed: false)
        let logits = try model.forward(tokens: ModelFixture.tokens(name))
        let error = scaledError(logits, try ModelFixture.array(name, "hf_logits"))
        #expect(error < 1e-4, "\(name): scaled error \(error)")
    }

    /// Processed log-probs equal TransformerLens's `from_pretrained` log-probs within 1e-4. For
    /// `gpt_neox_theta`, where TransformerLens ignores the rotary base, they equal transformers' log-probs.
    @Test(arguments: ModelFixture.checkpoints)
    func processedLogProbsMatchTransformerLens(name: String) throws {
        let model = try ModelFixture.model(name, processed: true)
        let logProbs = try model.forward(tokens: ModelFixture.tokens(name)).logSoftmax()
        let reference = name == "gpt_neox_theta"
            ? try ModelFixture.array(name, "hf_logits").logSoftmax() : try ModelFixture.array(name, "tl_logprobs_processed")
        let error = maxAbsDifference(logProbs, reference)
        #expect(error < 1e-4, "\(name): max difference \(error)")
    }

    /// Processing folds the norms like TransformerLens: LayerNorm models become `LNPre`, RMS models `RMSPre`.
    @Test func processingFoldsNormalizationType() throws {
        #expect(try ModelFixture.model("gpt2", processed: true).config.normalizationType == .layerNormPre)
        #expect(try ModelFixture.model("llama", processed: true).config.normalizationType == .rmsNormPre)
        #expect(try ModelFixture.model("gpt2", processed: false).config.normalizationType == .layerNorm)
    }

    /// F16 and BF16 checkpoints load and match the fp32 forward of their rounded weights within 1e-4.
    @Test(arguments: ["f16", "bf16"])
    func reducedPrecisionCheckpoints(precision: String) throws {
        let model = try HookedTransformer(pretrained: ModelFixture.folder("llama").appendingPathComponent(precision),
                                          processing: .none)
        let logits = try model.forward(tokens: ModelFixture.tokens("llama"))
        let error = scaledError(logits, try ModelFixture.array("llama", "hf_logits_\(precision)"))
        #expect(error < 1e-4, "\(precision): scaled error \(error)")
    }

    /// Rotary tables equal TransformerLens's layer-0 `rotary_cos` / `rotary_sin` (first 16 positions) within 1e-5.
    @Test(arguments: ["gpt_neox", "llama", "llama3", "qwen3", "gemma2", "phi", "gptj"])
    func rotaryTablesMatchTransformerLens(name: String) throws {
        let model = try ModelFixture.model(name, processed: false)
        let rotary = try #require(model.rotary)
        let (cos, sin) = rotary.tables(positions: Array(0..<16))
        let expectedCos = try ModelFixture.array(name, "tl_rotary_cos"), expectedSin = try ModelFixture.array(name, "tl_rotary_sin")
        #expect(maxAbsDifference(cos, expectedCos) < 1e-5)
        #expect(maxAbsDifference(sin, expectedSin) < 1e-5)
    }
}
