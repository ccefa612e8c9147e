import Foundation
import NN
import Testing

/// Padded batches and generation with and without the key/value cache.
@Suite struct PaddingAndGenerationTests {
    /// A left- or right-padded batch gives each prompt its result alone (1e-4, scaled), and transformers'
    /// padded logits (run with TransformerLens positions) at every real position.
    @Test(arguments: ModelFixture.checkpoints, ["left", "right"])
    func paddedBatchEqualsSingleRuns(name: String, side: String) throws {
        let model = try ModelFixture.model(name, processed: false)
        let tokens = try ModelFixture.array(name, "padded_tokens_\(side)")
        let mask = try ModelFixture.array(name, "padded_mask_\(side)")
        let logits = try model.forward(tokens: tokens, attentionMask: mask)
        let reference = try ModelFixture.array(name, "hf_logits_padded_\(side)")
        let rows = ModelFixture.rows(tokens), masks = ModelFixture.rows(mask)
        for (b, row) in rows.enumerated() {
            let real = masks[b].indices.filter { masks[b][$0] == 1 }
            let alone = try model.forward(tokens: [real.map { row[$0] }])
            for (i, p) in real.enumerated() {
                let error = scaledError(logits[b, p], alone[0, i])
                #expect(error < 1e-4, "\(name) \(side) row \(b) position \(p): \(error)")
                #expect(scaledError(logits[b, p], reference[b, p]) < 1e-4)
            }
        }
    }

    /// Feeding a left-padded batch in two chunks through a `KVCache` gives the logits of one full pass (1e-4, scaled).
    @Test(arguments: ["gpt2", "qwen3", "gemma2", "gptj"])
    func cachedChunksEqualFullPass(name: String) throws {
        let model = try ModelFixture.model(name, processed: true)
        let tokens = try ModelFixture.array(name, "padded_tokens_left"), mask = try ModelFixture.array(name, "padded_mask_left")
        let full = try model.forward(tokens: tokens, attentionMask: mask)
        let cache = KVCache(layers: model.config.nLayers, batch: 2)
        let first = try model.forward(tokens: tokens[.all, 0..<4], attentionMask: mask[.all, 0..<4], cache: cache)
        let second = try model.forward(tokens: tokens[.all, 4...], attentionMask: mask[.all, 4...], cache: cache)
        #expect(cache.length == 7)
        for b in 0..<2 {
            for p in 3..<7 {
                let chunk = p < 4 ? first[b, p] : second[b, p - 4]
                #expect(scaledError(chunk, full[b, p]) < 1e-4, "\(name) row \(b) position \(p)")
            }
        }
        #expect(throws: ForwardError.self) { _ = try model.forward(tokens: tokens, stopAtLayer: 1, cache: cache) }
    }

    /// Greedy generation with the cache equals generation without it and transformers' greedy `generate`.
    @Test(arguments: ModelFixture.checkpoints)
    func greedyGenerationMatchesTransformers(name: String) throws {
        let model = try ModelFixture.model(name, processed: false)
        let expected = ModelFixture.rows(try ModelFixture.array(name, "generate_greedy"))
        let prompt = [try ModelFixture.tokens(name)[0]]
        let newTokens = expected[0].count - prompt[0].count
        var options = GenerationOptions(maxNewTokens: newTokens, sampling: .greedy, stopAtEOS: false)
        let cached = try model.generate(prompt, options: options)
        options.useKVCache = false
        let uncached = try model.generate(prompt, options: options)
        #expect(cached == expected, "\(name): \(cached) vs \(expected)")
        #expect(uncached == cached)
    }

    /// Sampling (temperature, top-k, top-p) is reproducible per seed and identical with and without the cache,
    /// also for a padded batch of unequal prompts.
    @Test(arguments: [SamplingOptions(temperature: 0.8), SamplingOptions(temperature: 1, topK: 5),
                      SamplingOptions(temperature: 1.2, topP: 0.9)])
    func seededSamplingIsReproducible(sampling: SamplingOptions) throws {
        let model = try ModelFixture.model("llama3", processed: true)
        let tokens = try ModelFixture.tokens("llama3")
        let prompts = [tokens[0], Array(tokens[1].prefix(3))]
        var options = GenerationOptions(maxNewTokens: 6, sampling: sampling, seed: 7, stopAtEOS: false)
        let first = try model.generate(prompts, options: options)
        #expect(try model.generate(prompts, options: options) == first)
        options.useKVCache = false
        #expect(try model.generate(prompts, options: options) == first)
        #expect(first.map(\.count) == [prompts[0].count + 6, prompts[1].count + 6])
    }

    /// Each prompt of an unequal batch continues exactly as it does alone (greedy).
    @Test func batchedGenerationEqualsSingle() throws {
        let model = try ModelFixture.model("gemma2", processed: false)
        let tokens = try ModelFixture.tokens("gemma2")
        let prompts = [tokens[0], Array(tokens[1].prefix(4))]
        let options = GenerationOptions(maxNewTokens: 5, sampling: .greedy, stopAtEOS: false)
        let batched = try model.generate(prompts, options: options)
        for (b, prompt) in prompts.enumerated() {
            #expect(try model.generate([prompt], options: options)[0] == batched[b])
        }
    }

    /// Generation stops right after an end-of-sequence token.
    @Test func stopsAtEOS() throws {
        let model = try ModelFixture.model("llama", processed: false)
        let expected = ModelFixture.rows(try ModelFixture.array("llama", "generate_greedy"))[0]
        let prompt = [try ModelFixture.tokens("llama")[0]]
        let eos = expected[prompt[0].count + 2]
        let options = GenerationOptions(maxNewTokens: 8, sampling: .greedy, eosTokenIDs: [eos])
        let stopped = try model.generate(prompt, options: options)[0]
        #expect(stopped == Array(expected.prefix(prompt[0].count + 3)))
    }

    /// Top-k 1 and top-p close to 0 both reduce sampling to the most likely token.
    @Test func narrowFiltersAreGreedy() {
        var generator = SeededGenerator(seed: 3)
        let logits: [Float] = [0.1, 2.5, -1, 2.4, 0]
        for _ in 0..<20 {
            #expect(SamplingOptions(topK: 1).sample(logits, using: &generator) == 1)
            #expect(SamplingOptions(topP: 0.01).sample(logits, using: &generator) == 1)
        }
        #expect(SamplingOptions.greedy.sample(logits, using: &generator) == 1)
    }
}
