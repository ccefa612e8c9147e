import Foundation
@testable import Lens
import Testing

/// `testPrompt`, the logit lens and direct logit attribution.
@Suite struct AnalysisTests {
    /// Ranks, logits, probabilities, top tokens and printed lines equal TransformerLens's `test_prompt`
    /// (token text shown as ids, as the fixture records it); numbers within 1e-4.
    @Test(arguments: LensFixture.architectures, [true, false])
    func testPromptMatchesTransformerLens(name: String, processed: Bool) throws {
        let fixture = try LensFixture.json("\(name)/test_prompt_\(LensFixture.suffix(processed))")
        let model = LensModel(try LensFixture.model(name, processed: processed))
        let prompt = idTensor(fixture["prompt_tokens"]).intScalars, answer = idTensor(fixture["answer_tokens"]).intScalars
        let result = try model.testPrompt(promptTokens: prompt, answerTokens: [answer], topK: fixture["top_k"] as! Int)
        let steps = fixture["steps"] as! [[String: Any]]
        #expect(result.positions.count == steps.count)
        for (position, step) in zip(result.positions, steps) {
            let scored = position.answers[0]
            #expect(scored.token == step["answer_token"] as! Int && scored.rank == step["rank"] as! Int)
            #expect(abs(scored.logit - (step["logit"] as! NSNumber).floatValue) < 1e-4)
            #expect(abs(scored.probability - (step["prob"] as! NSNumber).floatValue) < 1e-4)
            #expect(position.top.map(\.token) == idTensor(step["top_ids"]).intScalars)
            let logits = (step["top_logits"] as! [NSNumber]).map(\.floatValue)
            #expect(zip(position.top, logits).allSatisfy { abs($0.logit - $1) < 1e-4 })
        }
        let lines = result.description.split(separator: "\n").map(String.init)
        let expectedLines = steps.flatMap { $0["lines"] as! [String] }
        #expect(lines.filter { $0.hasPrefix("Rank: ") || $0.hasPrefix("Top ") } == expectedLines)
        let ranks = (fixture["ranks"] as! [[Int]]).map { "('\($0[0])', \($0[1]))" }.joined(separator: ", ")
        #expect(lines.last == "Ranks of the answer tokens: [\(ranks)]")
    }

    /// With a tokenizer, `testPrompt` prints TransformerLens's layout: Python reprs of the token lists, a
    /// performance block per answer token (rank line, top-k lines) and the ranks line. (The fixture tokenizer
    /// is a reduced GPT-2 vocabulary, so " Paris" takes several tokens.)
    @Test func testPromptWithTokenizer() throws {
        let tokenizer = try Tokenizer(contentsOf: LensFixture.fixtures.appendingPathComponent("tokenizers/gpt2.tokenizer.json"))
        let model = LensModel(try Self.randomModel(vocabulary: tokenizer.vocabularySize), tokenizer: tokenizer)
        let prompt = "The Eiffel Tower is located in"
        let result = try model.testPrompt(prompt, answer: "Paris", printDetails: false, topK: 3)
        let promptTokens = tokenizer.toStrTokens(prompt), answerTokens = tokenizer.toStrTokens(" Paris", prependBOS: false)
        #expect(promptTokens.first == "<|endoftext|>" && answerTokens.joined() == " Paris")
        let lines = result.description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "Tokenized prompt: [" + promptTokens.map { "'\($0)'" }.joined(separator: ", ") + "]")
        #expect(lines[1] == "Tokenized answer: [" + answerTokens.map { "'\($0)'" }.joined(separator: ", ") + "]")
        #expect(lines.count == 2 + answerTokens.count * 5 + 1)
        for (i, token) in answerTokens.enumerated() {
            let block = lines[(2 + 5 * i)..<(7 + 5 * i)]
            #expect(block.first == "Performance on answer token:")
            #expect(block.dropFirst().first!.hasPrefix("Rank: ") && block.dropFirst().first!.hasSuffix("Token: |\(token)|"))
            #expect(block.last!.hasPrefix("Top 2th token. Logit: "))
        }
        let ranks = zip(answerTokens, result.positions).map { "('\($0)', \($1.answers[0].rank))" }
        #expect(lines.last == "Ranks of the answer tokens: [" + ranks.joined(separator: ", ") + "]")

        let several = try model.testPrompt(prompt, answers: ["Paris", " Rome"], printDetails: false, topK: 2)
        #expect(several.positions.count == 1 && several.positions[0].answers.count == 2)
        #expect(several.description.contains("Performance on answer tokens:"))
        #expect(several.ranksLine.hasPrefix("Ranks of the answer tokens: [[("))
    }

    /// A random model over `vocabulary` tokens (8-wide, 1 layer) for string-level tests.
    static func randomModel(vocabulary: Int) throws -> HookedTransformer {
        let config = ModelConfig(dModel: 8, dHead: 4, nHeads: 2, nLayers: 1, nCtx: 32, dVocab: vocabulary, dMLP: 16)
        var weights = StateDict()
        let shapes: [(String, [Int])] = [
            ("embed.W_E", [vocabulary, 8]), ("pos_embed.W_pos", [32, 8]), ("blocks.0.attn.W_Q", [2, 8, 4]),
            ("blocks.0.attn.W_K", [2, 8, 4]), ("blocks.0.attn.W_V", [2, 8, 4]), ("blocks.0.attn.W_O", [2, 4, 8]),
            ("blocks.0.mlp.W_in", [8, 16]), ("blocks.0.mlp.W_out", [16, 8]), ("unembed.W_U", [8, vocabulary]),
        ]
        for (index, (name, shape)) in shapes.enumerated() { weights[name] = Tensor.randomNormal(shape, seed: UInt64(index)) }
        return try HookedTransformer(config: config, stateDict: weights)
    }

    /// Strings are quoted exactly as Python's `repr` quotes them (expected values printed by Python 3).
    @Test func pythonStringRepr() {
        let cases = ["it's": "\"it's\"", "say \"hi\"": "'say \"hi\"'", "both ' and \"": "'both \\' and \"'",
                     "tab\there": "'tab\\there'", "\n": "'\\n'", "\u{200b}": "'\\u200b'", "é": "'é'", "\u{7f}": "'\\x7f'",
                     "\\": "'\\\\'", "\u{2028}": "'\\u2028'", "😀": "'😀'", "\u{a0}": "'\\xa0'", "\u{fffd}": "'\u{fffd}'"]
        for (text, repr) in cases { #expect(pythonRepr(text) == repr, "\(text)") }
        #expect(pythonRepr(["a", "b'"]) == "['a', \"b'\"]")
    }

    /// The logit lens's last layer reproduces the model's logits; layer, head and neuron attributions add up
    /// to the attributed logit difference of their whole stacks (1e-4 scaled).
    @Test func logitLensAndAttributions() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        let tokens = try LensFixture.tokens("gpt2")
        let (logits, cache) = try model.runWithCache(tokens)
        let (lens, labels) = try cache.logitLens(posSlice: -1)
        #expect(labels.last == "final_post" && lens.shape == [labels.count, 2, model.config.dVocabOut])
        #expect(scaledError(lens[labels.count - 1], logits[.all, -1]) < 1e-4)

        let answer: TokenInput = .ids(Tensor(ints: [3, 5], shape: [2])), wrong: TokenInput = .ids(Tensor(ints: [7, 9], shape: [2]))
        let full = try cache.getFullResidDecomposition(expandNeurons: false, posSlice: -1)
        let total = try cache.logitAttrs(full, tokens: answer, incorrectTokens: wrong, posSlice: -1).sum(axis: 0)
        let (layers, layerLabels) = try cache.layerAttribution(tokens: answer, incorrectTokens: wrong, posSlice: -1)
        #expect(layerLabels == ["embed", "pos_embed", "0_attn_out", "0_mlp_out", "1_attn_out", "1_mlp_out"])
        #expect(scaledError(layers.sum(axis: 0), total) < 1e-4)

        let (heads, headLabels) = try cache.headAttribution(tokens: answer, incorrectTokens: wrong, posSlice: -1)
        #expect(headLabels == model.allHeadLabels && heads.shape == [8, 2])
        let (neurons, neuronLabels) = try cache.neuronAttribution(tokens: answer, incorrectTokens: wrong, posSlice: -1)
        #expect(neurons.shape == [2 * 256, 2] && neuronLabels[257] == "L1N1")
        let embeds = try cache.logitAttrs(full[(full.shape[0] - 3)..<(full.shape[0] - 1)], tokens: answer,
                                          incorrectTokens: wrong, posSlice: -1)
        let bias = try model.accumulatedBias(layer: model.config.nLayers).expanded(to: [1, 2, model.config.dModel])
        let biasAttribution = try cache.logitAttrs(bias, tokens: answer, incorrectTokens: wrong, posSlice: -1)[0]
        let parts = heads.sum(axis: 0) + neurons.sum(axis: 0) + embeds.sum(axis: 0) + biasAttribution
        #expect(scaledError(parts, total) < 1e-4)
    }
}
