import Foundation
import NN
import Testing

/// Models that keep 16-bit checkpoints in their stored dtype (`WeightPrecision.stored`), on the tied-embedding
/// fixtures of `Scripts/fixtures/stored_dtype.py` (`qwen2_bf16`: GQA, biases; `gpt2_f16`: LayerNorm, fused c_attn).
@Suite struct StoredPrecisionTests {
    static let cases = ["qwen2_bf16", "gpt2_f16"]

    static func folder(_ name: String) -> URL { ModelFixture.root.appendingPathComponent("stored/\(name)") }

    static func array(_ name: String, _ file: String) throws -> Tensor {
        try Tensor(npyContentsOf: folder(name).appendingPathComponent(file + ".npy").path)
    }

    static func tokens(_ name: String) throws -> [[Int]] { ModelFixture.rows(try array(name, "tokens")) }

    static func model(_ name: String, processing: WeightProcessing, precision: WeightPrecision) throws -> HookedTransformer {
        try HookedTransformer(pretrained: folder(name), processing: processing, precision: precision)
    }

    /// Unprocessed, the weights stay 16-bit views of the file (one array for the tied `W_E` / `W_U`) and the logits
    /// equal transformers' fp32 eager logits of the upcast weights within 1e-4 (relative above 1).
    @Test(arguments: cases)
    func storedWeightsMatchTransformers(name: String) throws {
        let model = try Self.model(name, processing: .none, precision: .stored)
        let stored: DType = name.hasSuffix("bf16") ? .bfloat16 : .float16
        #expect(model.embed.W_E.dtype == stored && model.unembed.W_U.dtype == stored)
        #expect(model.blocks[0].attn.W_Q.dtype == stored && model.blocks[0].mlp?.W_out.dtype == stored)
        #expect(model.unembed.W_U.storage === model.embed.W_E.storage, "tied embeddings are held once")
        let logits = try model.forward(tokens: Self.tokens(name))
        let error = scaledError(logits, try Self.array(name, "hf_logits"))
        #expect(error < 1e-4, "\(name): scaled error \(error)")
    }

    /// `.float32` widens every weight once (tied embeddings still one array); processed in Float32 the log-probs
    /// equal TransformerLens's `from_pretrained` on the upcast weights within 1e-4.
    @Test(arguments: cases)
    func float32PolicyMatchesTransformerLens(name: String) throws {
        let raw = try Self.model(name, processing: .none, precision: .float32)
        #expect(raw.embed.W_E.dtype == .float32 && raw.unembed.W_U.storage === raw.embed.W_E.storage)
        let model = try Self.model(name, processing: .default, precision: .float32)
        #expect(model.blocks[0].attn.W_Q.dtype == .float32)
        let logProbs = try model.forward(tokens: Self.tokens(name)).logSoftmax()
        let error = maxAbsDifference(logProbs, try Self.array(name, "tl_logprobs_processed"))
        #expect(error < 1e-4, "\(name): max difference \(error)")
    }

    /// `.stored` with processing rounds the rewritten weights back to the stored dtype: the log-probs stay within
    /// the bound docs/SCALE.md states of TransformerLens's fp32 processing (measured 0.086 for BF16 and 0.0165 for
    /// F16 on these fixtures, whose logits have std 2-4; bound 0.12 BF16, 0.02 F16: about 2⁻⁸ and 2⁻¹¹ relative to
    /// the logits' range, less than the checkpoint's own rounding moved them), and the weights stay 16-bit.
    @Test(arguments: cases)
    func roundedProcessingStaysWithinTheStatedBound(name: String) throws {
        let model = try Self.model(name, processing: .default, precision: .stored)
        let bf16 = name.hasSuffix("bf16")
        #expect(model.blocks[0].attn.W_Q.dtype == (bf16 ? .bfloat16 : .float16))
        let logProbs = try model.forward(tokens: Self.tokens(name)).logSoftmax()
        let error = maxAbsDifference(logProbs, try Self.array(name, "tl_logprobs_processed"))
        #expect(error < (bf16 ? 0.12 : 0.02), "\(name): max difference \(error)")
    }

    /// Gradients through stored-type weights equal those of the same weights widened to Float32 (same arithmetic).
    @Test func backwardThroughStoredWeights() throws {
        let name = "qwen2_bf16"
        let tokens = Tensor(ints: try Self.tokens(name).flatMap { $0 }, shape: [2, 7])
        let stored = try fixtureGradients(try Self.model(name, processing: .none, precision: .stored), tokens: tokens)
        let wide = try fixtureGradients(try Self.model(name, processing: .none, precision: .float32), tokens: tokens)
        for hook in ["blocks.0.hook_resid_pre", "blocks.1.attn.hook_q", "blocks.0.mlp.hook_post"] {
            let a = try #require(stored.gradients[hook]), b = try #require(wide.gradients[hook])
            #expect(scaledError(a, b) < 1e-6, "\(hook)")
        }
    }
}
