import Foundation
import Testing
@testable import Lens

/// Generation with hooks, batches of texts, and the errors a TransformerLens user meets first, on the demo
/// model that ships in the repository.
@Suite struct LensModelAPITests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/demo")
    let model: LensModel

    init() throws { model = try LensModel(pretrained: Self.demo) }

    /// A hook that makes `token` the top logit at every position it sees.
    func forcing(_ token: Int) -> HookFunction {
        { logits, _ in
            var boosted = logits
            boosted[.ellipsis, token] = logits[.ellipsis, token] + 1000
            return boosted
        }
    }

    /// Hooks attached with `addHook` and hooks given per call run in every generation step, with and without
    /// the key/value cache; without hooks the output is the plain generation.
    @Test func generationRunsAttachedAndPerCallHooks() throws {
        let prompt = [try model.toTokens("The Eiffel Tower is located in").intScalars]
        let greedy = GenerationOptions(maxNewTokens: 4, sampling: SamplingOptions(temperature: 0), stopAtEOS: false)
        let plain = try model.generate(prompt, options: greedy)
        #expect(plain == (try model.transformer.generate(prompt, options: greedy)))
        let forced = 7
        #expect(plain[0].suffix(4) != [forced, forced, forced, forced])
        var hooked = model
        try hooked.addHook("unembed.hook_out", forcing(forced))
        #expect(try hooked.generate(prompt, options: greedy)[0].suffix(4) == [forced, forced, forced, forced])
        var uncached = greedy
        uncached.useKVCache = false
        #expect(try hooked.generate(prompt, options: uncached)[0].suffix(4) == [forced, forced, forced, forced])
        #expect(try model.generate(prompt, options: greedy, hooks: [("unembed.hook_out", forcing(forced))])[0].suffix(4)
                == [forced, forced, forced, forced])
        #expect(try model.transformer.generate(prompt, options: greedy, hooks: [("unembed.hook_out", forcing(forced))])
                == (try hooked.generate(prompt, options: greedy)))
        // With the cache each step's activations cover only the new positions, as in TransformerLens.
        var widths: [Int] = []
        _ = try model.generate(prompt, options: greedy, hooks: [("blocks.0.hook_resid_pre", { x, _ in
            widths.append(x.shape[1])
            return nil
        })])
        #expect(widths == [prompt[0].count, 1, 1, 1])
        // Text in, text out; steering runs after the attached hooks.
        let text = try hooked.generate("The Eiffel Tower is located in", options: greedy)
        let forcedText = try model.toString([forced])
        #expect(text.hasPrefix("The Eiffel Tower is located in") && text.hasSuffix(String(repeating: forcedText, count: 4)))
        let steered = try hooked.generate(prompt, steering: [], options: greedy)
        #expect(steered[0].suffix(4) == [forced, forced, forced, forced])
        #expect(throws: LensError.self) { try model.generate(prompt, options: greedy, hooks: [("resid_pre", forcing(forced))]) }
    }

    /// `toTokens` of several texts pads right or left with its mask; `toString` and `toStrTokens` read batches back.
    @Test func batchesOfTexts() throws {
        let texts = ["The Eiffel Tower is located in", "I love this movie"]
        let right = try model.toTokens(texts)
        let left = try model.toTokens(texts, paddingSide: .left)
        let short = try model.toTokens(texts[1]).intScalars
        #expect(right.tokens.shape == left.tokens.shape && right.tokens.shape[0] == 2)
        let width = right.tokens.shape[1], pad = width - short.count
        #expect(right.attentionMask[1] == Array(repeating: 1, count: short.count) + Array(repeating: 0, count: pad))
        #expect(left.attentionMask[1] == Array(repeating: 0, count: pad) + Array(repeating: 1, count: short.count))
        #expect(Array(left.ids[1].suffix(short.count)) == short && Array(right.ids[1].prefix(short.count)) == short)
        let strings = try model.toString(right.tokens)
        #expect(strings[0].hasSuffix(texts[0]) && strings[1].contains(texts[1]))
        let pieces = try model.toStrTokens(left.tokens)
        let shortPieces = try model.toStrTokens(short)
        #expect(pieces.count == 2 && pieces[1].suffix(short.count) == ArraySlice(shortPieces))
        #expect(try model.toStrTokens(texts).map(\.count) == [width, short.count])
        let pair = try model.toString([short[1], short[2]])
        #expect(try model.toString([[short[1], short[2]]]) == [pair])
        #expect(throws: LensError.self) { try model.toString(Tensor(zeros: [2, 2, 2])) }
    }

    /// A TransformerLens short name gets the full-name pattern, a layer past the last one says how many there
    /// are (in hook names and cache keys), a global short name suggests its hook point.
    @Test func errorsNameTheFix() throws {
        let tokens = try model.toTokens("I love this movie")
        let observe: HookFunction = { _, _ in nil }
        let layers = model.config.nLayers
        #expect(throws: LensError.shortHookName("resid_pre", pattern: "blocks.L.hook_resid_pre", layers: layers)) {
            try model.runWithHooks(tokens, hooks: [("resid_pre", observe)])
        }
        let message = "\(LensError.shortHookName("resid_pre", pattern: "blocks.L.hook_resid_pre", layers: 3))"
        #expect(message.contains("\"blocks.L.hook_resid_pre\" with L in 0...2"))
        #expect(throws: LensError.shortHookName("pattern", pattern: "blocks.L.attn.hook_pattern", layers: layers)) {
            try model.runWithHooks(tokens, hooks: [("pattern", observe)])
        }
        #expect(throws: LensError.unknownHook("embed", suggestions: ["hook_embed"])) {
            try model.runWithHooks(tokens, hooks: [("embed", observe)])
        }
        let outside = "blocks.\(layers + 9).hook_resid_pre"
        #expect(throws: LensError.layerOutOfRange(layers + 9, layers: layers, context: "hook point \"\(outside)\"")) {
            try model.runWithHooks(tokens, hooks: [(.name(outside), observe)])
        }
        #expect("\(LensError.layerOutOfRange(12, layers: 3, context: "x"))" == "x: layer 12 is out of range; the model has 3 layers (0...2)")
        let (_, cache) = try model.runWithCache(tokens)
        #expect(throws: LensError.layerOutOfRange(12, layers: layers, context: "cache[\"resid_pre\", 12]")) {
            try cache["resid_pre", 12]
        }
        #expect(throws: LensError.self) { try cache["blocks.12.hook_resid_pre"] }
    }

    /// Mean ablation from a reference of another length: refused without its mask (it may be padding),
    /// averaged over the real positions with it.
    @Test func meanOfAPaddedBatchNeedsItsMask() throws {
        let run = try model.toTokens("The Eiffel Tower is located in")
        let batch = try model.toTokens(["I love this movie", "The book was great because it is"])
        let (_, reference) = try model.runWithCache(batch.tokens)
        let z = try reference["z", 1]
        let region = ActivationRegion.head(layer: 1, head: 0)
        #expect(throws: LensError.self) {
            try model.transformer.runWithAblations(run, [Ablation(region, method: .meanOf(z))])
        }
        let mask = batch.mask
        var expected = Tensor(zeros: [z.shape[3]]), count: Float = 0
        for (row, flags) in batch.attentionMask.enumerated() {
            for (p, real) in flags.enumerated() where real == 1 {
                expected = expected + z[row, p, 0]
                count += 1
            }
        }
        expected = expected / count
        let check: HookFunction = { z, _ in
            #expect((z[0, .all, 0] - expected.unsqueezed(0)).abs().max().item() < 1e-5)
            return nil
        }
        let hooks = try model.transformer.ablationHooks([Ablation(region, method: .meanOf(z, attentionMask: mask))])
        _ = try model.transformer.runWithHooks(run, hooks: hooks + [("blocks.1.attn.hook_z", check)])
        let overTokens = try model.transformer.ablate(run, region, method: .meanOver(tokens: batch.tokens, attentionMask: mask))
        let overCache = try model.transformer.ablate(run, region, method: .meanOf(z, attentionMask: mask))
        #expect((overTokens - overCache).abs().max().item() == 0)
    }
}
