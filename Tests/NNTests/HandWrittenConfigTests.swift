import Foundation
import NN
import Testing

/// Models composed by hand from a `ModelConfig` and TransformerLens-named weights (`tl_state_dict.safetensors`).
@Suite struct HandWrittenConfigTests {
    /// A 2-layer attention-only model, LayerNorm, learned positions.
    static let attentionOnly = ModelConfig(dModel: 64, dHead: 16, nHeads: 4, nLayers: 2, nCtx: 32, dVocab: 97,
                                           attnOnly: true)
    /// An Othello-GPT-like model with its own 61-token vocabulary and GELU MLPs.
    static let othelloLike = ModelConfig(dModel: 64, dHead: 16, nHeads: 4, nLayers: 2, nCtx: 59, dVocab: 61,
                                         dMLP: 128, actFn: .gelu)

    static func fixture(_ name: String) -> (ModelConfig, URL) {
        (name == "attn_only_2l" ? attentionOnly : othelloLike,
         ModelFixture.folder(name).appendingPathComponent("tl_state_dict.safetensors"))
    }

    /// Unprocessed logits equal TransformerLens's within 1e-4 (scaled); processed log-probs within 1e-4.
    @Test(arguments: ["attn_only_2l", "othello_like"])
    func matchesTransformerLens(name: String) throws {
        let (config, url) = Self.fixture(name)
        let tokens = try ModelFixture.tokens(name)
        let model = try HookedTransformer(config: config, stateDict: url)
        #expect(scaledError(try model.forward(tokens: tokens), try ModelFixture.array(name, "tl_logits_unprocessed")) < 1e-4)
        let (processedConfig, processed) = try WeightProcessing.default.apply(to: StateDict(safetensors: url), config: config)
        let processedModel = try HookedTransformer(config: processedConfig, stateDict: processed)
        let logProbs = try processedModel.forward(tokens: tokens).logSoftmax()
        #expect(maxAbsDifference(logProbs, try ModelFixture.array(name, "tl_logprobs_processed")) < 1e-4)
        #expect(scaledError(try processedModel.forward(tokens: tokens), try ModelFixture.array(name, "tl_logits_processed")) < 1e-4)
    }

    /// A TransformerLens `HookedTransformerConfig` JSON reads to the same configuration as the hand-written one.
    @Test(arguments: ["attn_only_2l", "othello_like"])
    func transformerLensConfigJSON(name: String) throws {
        let (config, _) = Self.fixture(name)
        #expect(try ModelConfig(transformerLens: ModelFixture.folder(name).appendingPathComponent("tl_config.json")) == config)
    }

    /// A model's `stateDict` rebuilds the same model; processing a loaded model equals processing on load
    /// (1e-5, scaled); the state dict round-trips through a safetensors file.
    @Test func stateDictRoundTrip() throws {
        let raw = try ModelFixture.model("gpt_neox", processed: false)
        let tokens = try ModelFixture.tokens("gpt_neox")
        let rebuilt = try HookedTransformer(config: raw.config, stateDict: raw.stateDict)
        #expect(maxAbsDifference(try rebuilt.forward(tokens: tokens), try raw.forward(tokens: tokens)) == 0)
        let processed = try raw.processed()
        let loaded = try ModelFixture.model("gpt_neox", processed: true)
        #expect(scaledError(try processed.forward(tokens: tokens), try loaded.forward(tokens: tokens)) < 1e-5)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lens-sd-\(UUID().uuidString).safetensors")
        try processed.stateDict.write(to: url)
        let reread = try HookedTransformer(config: processed.config, stateDict: url)
        #expect(scaledError(try reread.forward(tokens: tokens), try processed.forward(tokens: tokens)) < 1e-5)
    }

    /// A checkpoint's state dict, unprocessed and processed, equals TransformerLens's tensor by tensor
    /// (1e-5, scaled), with the same names.
    @Test(arguments: ["gpt_neox", "gemma2"], [false, true])
    func checkpointStateDictMatchesTransformerLens(name: String, processed: Bool) throws {
        let mine = try ModelFixture.model(name, processed: processed).stateDict
        let file = "tl_state_dict_\(processed ? "processed" : "unprocessed").safetensors"
        let expected = try StateDict(safetensors: ModelFixture.folder(name).appendingPathComponent(file))
        #expect(Set(mine.names) == Set(expected.names))
        for tensor in expected.names {
            let value = try #require(mine[tensor], "missing \(tensor)")
            #expect(scaledError(value, expected[tensor]!) < 1e-5, "\(name) \(tensor)")
        }
    }

    /// Weight processing matches TransformerLens's processed state dict tensor by tensor (1e-5, scaled).
    @Test func processedStateDictMatchesTransformerLens() throws {
        let (config, url) = Self.fixture("attn_only_2l")
        let (_, processed) = try WeightProcessing.default.apply(to: StateDict(safetensors: url), config: config)
        let expected = try StateDict(safetensors: ModelFixture.folder("attn_only_2l")
            .appendingPathComponent("tl_state_dict_processed.safetensors"))
        for name in expected.names {
            let mine = try #require(processed[name], "missing \(name)")
            #expect(scaledError(mine, expected[name]!) < 1e-5, "\(name)")
        }
        #expect(Set(processed.names) == Set(expected.names))
    }

    /// Refactoring the factored attention matrices changes the weights but not the logits (1e-4, scaled).
    @Test func refactoringKeepsLogits() throws {
        let (config, url) = Self.fixture("othello_like")
        let tokens = try ModelFixture.tokens("othello_like")
        let base = try HookedTransformer(config: config, stateDict: url)
        var processing = WeightProcessing.default
        processing.refactorFactoredAttnMatrices = true
        let (refactoredConfig, refactored) = try processing.apply(to: StateDict(safetensors: url), config: config)
        let model = try HookedTransformer(config: refactoredConfig, stateDict: refactored)
        let logProbs = try model.forward(tokens: tokens).logSoftmax()
        #expect(maxAbsDifference(logProbs, try base.forward(tokens: tokens).logSoftmax()) < 1e-4)
        let original = try StateDict(safetensors: url)
        #expect(maxAbsDifference(refactored["blocks.0.attn.W_Q"]!, original["blocks.0.attn.W_Q"]!) > 1e-3)
    }

    /// Refactoring needs learned positions: a rotary model is refused with an error naming the option.
    @Test func refactoringRotaryModelIsAnError() throws {
        var processing = WeightProcessing.none
        processing.refactorFactoredAttnMatrices = true
        let config = try ModelConfig(huggingFace: ModelFixture.folder("llama"))
        #expect(throws: ModelConfigError.self) {
            _ = try processing.apply(to: StateDict(), config: config)
        }
    }
}
