import Foundation
import NN
import Testing

/// Records every activation it is shown; optionally replaces some.
final class RecordingHooks: ActivationHooks {
    var visited: [(String, [Int])] = []
    var stored: [String: Tensor] = [:]
    let replace: [String: (Tensor) -> Tensor]

    init(replace: [String: (Tensor) -> Tensor] = [:]) { self.replace = replace }

    func isActive(_ name: String) -> Bool { true }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        visited.append((name, value.shape))
        stored[name] = value
        return replace[name]?(value) ?? value
    }
}

/// TransformerLens hook points: names, order, shapes, replacement, and the optional ones.
@Suite struct HookTests {
    /// Hooks fire in `hookPointNames` order with TransformerLens's shapes (GQA keys keep `n_kv` heads), and
    /// identity hooks leave the logits unchanged.
    @Test(arguments: ["gpt2", "llama3", "qwen3", "gemma2", "phi"])
    func hookPointsAndShapes(name: String) throws {
        let model = try ModelFixture.model(name, processed: false)
        let tokens = try ModelFixture.tokens(name)
        let hooks = RecordingHooks()
        let hooked = try model.forward(tokens: tokens, hooks: hooks)
        #expect(maxAbsDifference(hooked, try model.forward(tokens: tokens)) == 0)
        var firstSeen: [String] = []
        for (hook, _) in hooks.visited where !firstSeen.contains(hook) { firstSeen.append(hook) }
        #expect(firstSeen == model.hookPointNames)
        let c = model.config, shapes = Dictionary(hooks.visited, uniquingKeysWith: { a, _ in a })
        let (b, p) = (2, 7)
        #expect(shapes["hook_embed"] == [b, p, c.dModel])
        #expect(shapes["blocks.0.hook_resid_pre"] == [b, p, c.dModel])
        #expect(shapes["blocks.0.ln1.hook_scale"] == [b, p, 1])
        #expect(shapes["blocks.0.attn.hook_q"] == [b, p, c.nHeads, c.dHead])
        #expect(shapes["blocks.0.attn.hook_k"] == [b, p, c.keyValueHeads, c.dHead])
        #expect(shapes["blocks.0.attn.hook_attn_scores"] == [b, c.nHeads, p, p])
        #expect(shapes["blocks.0.attn.hook_pattern"] == [b, c.nHeads, p, p])
        #expect(shapes["blocks.0.attn.hook_z"] == [b, p, c.nHeads, c.dHead])
        #expect(shapes["blocks.0.mlp.hook_post"] == [b, p, c.dMLP!])
        #expect(shapes["unembed.hook_out"] == [b, p, c.dVocabOut])
        if c.useQKNorm { #expect(shapes["blocks.0.attn.q_norm.hook_scale"] == [b * p * c.nHeads, 1]) }
        let scores = try #require(hooks.stored["blocks.0.attn.hook_attn_scores"])
        #expect(scores[0, 0, 0, 1].item() == -.infinity)
        let pattern = try #require(hooks.stored["blocks.0.attn.hook_pattern"])
        #expect(Swift.abs(pattern.sum(axis: -1).scalars.max()! - 1) < 1e-5)
    }

    /// A replacement changes everything downstream: zeroing the last block's residual leaves only
    /// `ln_final(0) · W_U + b_U`, the same logits at every position.
    @Test func replacementFlowsDownstream() throws {
        let model = try ModelFixture.model("gpt2", processed: false)
        let last = "blocks.\(model.config.nLayers - 1).hook_resid_post"
        let hooks = RecordingHooks(replace: [last: { Tensor(zeros: $0.shape) }])
        let logits = try model.forward(tokens: ModelFixture.tokens("gpt2"), hooks: hooks)
        #expect(maxAbsDifference(logits[0, 0], logits[1, 6]) < 1e-5)
        let normed = try #require(model.lnFinal).forward(Tensor(zeros: [1, model.config.dModel]), hooks: nil)
        #expect(maxAbsDifference(logits[0, 0], normed.matmul(model.unembed.W_U)[0] + model.unembed.b_U) < 1e-4)
    }

    /// A hook returning another shape is an error naming the hook and both shapes.
    @Test func wrongShapeIsAnError() throws {
        let model = try ModelFixture.model("llama", processed: false)
        let hooks = RecordingHooks(replace: ["blocks.1.mlp.hook_post": { $0[.all, 0..<3] }])
        let m = try #require(model.config.dMLP)
        #expect(throws: ForwardError.hookShapeMismatch(hook: "blocks.1.mlp.hook_post", expected: [2, 7, m], found: [2, 3, m])) {
            _ = try model.forward(tokens: ModelFixture.tokens("llama"), hooks: hooks)
        }
    }

    /// Doubling a norm's `hook_scale` halves its `hook_normalized`, as TransformerLens recomputes `x / scale`.
    @Test func scaleReplacementRescalesNormalized() throws {
        let model = try ModelFixture.model("llama", processed: true)
        let tokens = try ModelFixture.tokens("llama")
        let plain = RecordingHooks()
        _ = try model.forward(tokens: tokens, hooks: plain)
        let doubled = RecordingHooks(replace: ["blocks.0.ln2.hook_scale": { $0 * 2 }])
        _ = try model.forward(tokens: tokens, hooks: doubled)
        let before = try #require(plain.stored["blocks.0.ln2.hook_normalized"])
        let after = try #require(doubled.stored["blocks.0.ln2.hook_normalized"])
        #expect(maxAbsDifference(after * 2, before) < 1e-5)
    }

    /// Stopping at a layer returns the residual stream there; starting from it finishes the pass exactly.
    @Test func startAndStopAtLayer() throws {
        let model = try ModelFixture.model("mistral", processed: false)
        let tokens = try ModelFixture.tokens("mistral")
        let full = try model.forward(tokens: tokens)
        let hooks = RecordingHooks()
        let middle = try model.forward(tokens: tokens, stopAtLayer: 1, hooks: hooks)
        #expect(middle.shape == [2, 7, model.config.dModel])
        #expect(maxAbsDifference(middle, try #require(hooks.stored["blocks.0.hook_resid_post"])) == 0)
        #expect(!hooks.visited.contains { $0.0.hasPrefix("blocks.1.") || $0.0.hasPrefix("unembed") })
        #expect(maxAbsDifference(try model.forward(residual: middle, startAtLayer: 1), full) < 1e-5)
        #expect(maxAbsDifference(try model.forward(residual: middle, startAtLayer: -1), full) < 1e-5)
        #expect(try model.forward(tokens: tokens, stopAtLayer: 0).shape == [2, 7, model.config.dModel])
        #expect(throws: ForwardError.self) { _ = try model.forward(tokens: tokens, stopAtLayer: 5) }
    }

    /// The optional hooks (`hook_result`, `hook_attn_in`, split `q/k/v` inputs, `hook_mlp_in`) fire only when
    /// enabled, with TransformerLens's shapes, and leave the logits unchanged.
    @Test(arguments: ["gpt2", "qwen2"])
    func optionalHooks(name: String) throws {
        var model = try ModelFixture.model(name, processed: true)
        let tokens = try ModelFixture.tokens(name)
        let plain = try model.forward(tokens: tokens)
        let grouped = model.config.nKeyValueHeads != nil
        model.setUseAttnResult(true)
        model.setUseSplitQKVInput(true)
        model.setUseHookMLPIn(true)
        if !grouped { try model.setUseAttnIn(true) }
        let hooks = RecordingHooks()
        let logits = try model.forward(tokens: tokens, hooks: hooks)
        #expect(scaledError(logits, plain) < 1e-4)
        var firstSeen: [String] = []
        for (hook, _) in hooks.visited where !firstSeen.contains(hook) { firstSeen.append(hook) }
        #expect(firstSeen == model.allHookPointNames)
        let c = model.config, shapes = Dictionary(hooks.visited, uniquingKeysWith: { a, _ in a })
        #expect(shapes["blocks.0.attn.hook_result"] == [2, 7, c.nHeads, c.dModel])
        #expect(shapes["blocks.0.hook_q_input"] == [2, 7, c.nHeads, c.dModel])
        #expect(shapes["blocks.0.hook_k_input"] == [2, 7, c.keyValueHeads, c.dModel])
        #expect(shapes["blocks.0.hook_mlp_in"] == [2, 7, c.dModel])
        #expect(shapes["blocks.0.hook_attn_in"] == (grouped ? nil : [2, 7, c.nHeads, c.dModel]))
        #expect(shapes["blocks.0.ln1.hook_scale"] == [2, 7, c.nHeads, 1])
        let result = try #require(hooks.stored["blocks.0.attn.hook_result"])
        let attnOut = try #require(hooks.stored["blocks.0.hook_attn_out"])
        #expect(scaledError(result.sum(axis: 2) + model.blocks[0].attn.b_O, attnOut) < 1e-5)
        if grouped { #expect(throws: ModelConfigError.self) { try model.setUseAttnIn(true) } }
    }
}
