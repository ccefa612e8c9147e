import Foundation
import Lens
import Testing

/// `runWithHooks`, attached and scoped hooks, and the errors that stop a run before it starts.
@Suite struct HookBehaviourTests {
    /// A misspelt hook name throws before anything runs, naming the closest real hook points.
    @Test func unknownNameSuggestsClosestBeforeAnyCompute() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        let tokens = try LensFixture.tokens("gpt2")
        var calls = 0
        let counter: HookFunction = { _, _ in calls += 1; return nil }
        do {
            _ = try model.runWithHooks(tokens, hooks: [("hook_embed", counter), ("blocks.0.hook_resid_psot", counter)])
            Issue.record("an unknown hook name must throw")
        } catch let LensError.unknownHook(name, suggestions) {
            #expect(name == "blocks.0.hook_resid_psot")
            #expect(suggestions.first == "blocks.0.hook_resid_post")
        }
        #expect(calls == 0)
        #expect(throws: LensError.self) { _ = try model.runWithCache(tokens, names: ["blocks.9.hook_resid_post"]) }
        let message = "\(LensError.unknownHook("blocks.0.attn.hook_patern", suggestions: ["blocks.0.attn.hook_pattern"]))"
        #expect(message.contains("blocks.0.attn.hook_patern") && message.contains("blocks.0.attn.hook_pattern"))
    }

    /// Optional hooks whose flag is off name the flag; with the flag on they run. Hooks an architecture
    /// never calls (an attention-only model's `hook_mlp_out`, `hook_attn_in` with grouped-query attention)
    /// are unknown.
    @Test func disabledAndAbsentHookPoints() throws {
        var model = try LensFixture.model("gpt2", processed: true)
        let tokens = try LensFixture.tokens("gpt2")
        let observe: HookFunction = { _, _ in nil }
        let gated = ["blocks.0.attn.hook_result": "use_attn_result", "blocks.1.hook_q_input": "use_split_qkv_input",
                     "blocks.0.hook_attn_in": "use_attn_in", "blocks.1.hook_mlp_in": "use_hook_mlp_in"]
        for (name, flag) in gated {
            #expect(throws: LensError.hookDisabled(name, flag: flag)) {
                _ = try model.runWithHooks(tokens, hooks: [(.name(name), observe)])
            }
        }
        model.setUseAttnResult(true)
        let (_, cache) = try model.runWithCache(tokens, names: ["blocks.0.attn.hook_result"])
        #expect(try cache["result", 0].shape == [2, 7, 4, 64])

        let attnOnly = try LensFixture.model("attn_only_2l", processed: true)
        #expect(throws: LensError.self) {
            _ = try attnOnly.runWithHooks(LensFixture.tokens("attn_only_2l"), hooks: [("blocks.0.hook_mlp_out", observe)])
        }
        let llama = try LensFixture.model("llama", processed: true)
        #expect(llama.hookRegistry.disabled["blocks.0.hook_attn_in"] == nil)
        #expect(llama.hookRegistry.disabled["blocks.0.hook_k_input"] == .useSplitQKVInput)
        #expect(throws: LensError.self) { try llama.hookRegistry.validate("blocks.0.hook_attn_in") }
    }

    /// A replacement of the wrong shape is an error naming the hook and both shapes.
    @Test func wrongShapeNamesHookAndShapes() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        do {
            _ = try model.runWithHooks(LensFixture.tokens("gpt2"), hooks: [("blocks.1.mlp.hook_post", { act, _ in act[.all, 0..<3] })])
            Issue.record("a wrong-shape hook must throw")
        } catch let error as ForwardError {
            #expect(error == .hookShapeMismatch(hook: "blocks.1.mlp.hook_post", expected: [2, 7, 256], found: [2, 3, 256]))
            #expect("\(error)".contains("[2, 7, 256]") && "\(error)".contains("[2, 3, 256]"))
        }
    }

    /// Zeroing every head's `hook_z` leaves only `b_O` as attention output: the same logits as replacing each
    /// `hook_attn_out` by `b_O` (1e-5 scaled), and different from the clean run.
    @Test func zeroingZEqualsAttentionOutputOfBiasOnly() throws {
        let model = try LensFixture.model("gpt2", processed: false)
        let tokens = try LensFixture.tokens("gpt2")
        let zeroed = try model.runWithHooks(tokens, hooks: [(.filter { $0.hasSuffix("hook_z") }, { z, _ in Tensor(zeros: z.shape) })])
        let biasOnly = try model.runWithHooks(tokens, hooks: [(.filter { $0.hasSuffix("hook_attn_out") }, { out, hook in
            model.blocks[hook.layer!].attn.b_O.expanded(to: out.shape)
        })])
        #expect(scaledError(zeroed, biasOnly) < 1e-5)
        #expect(scaledError(zeroed, try model.forward(tokens: tokens)) > 1e-2)
    }

    /// Patching a whole `resid_pre` from a corrupted run reproduces the corrupted logits; observers see the
    /// hook's name and layer and change nothing; hooks at one point chain in order; the cache of a hooked
    /// run holds the replaced activation.
    @Test func patchingObservingAndChaining() throws {
        let model = try LensFixture.model("llama", processed: true)
        let tokens = try LensFixture.tokens("llama")
        let corrupted = tokens[.stride(nil, nil, by: -1), .all].contiguous()
        let (corruptedLogits, corruptedCache) = try model.runWithCache(corrupted)
        let patch = try corruptedCache["resid_pre", 1]
        let layer = 1
        let patched = try model.runWithHooks(tokens, hooks: [("blocks.\(layer).hook_resid_pre", { _, _ in patch })])
        #expect(scaledError(patched, corruptedLogits) < 1e-5)

        var seen: [HookPoint] = []
        let clean = try model.forward(tokens: tokens)
        let observed = try model.runWithHooks(tokens, hooks: [(.filter { $0.hasSuffix("hook_pattern") }, { _, hook in
            seen.append(hook)
            return nil
        })])
        #expect(observed.scalars == clean.scalars)
        #expect(seen.map(\.name) == ["blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"])
        #expect(seen.map(\.layer) == [0, 1])
        #expect(HookPoint(name: "ln_final.hook_scale").layer == nil)

        let name: HookTarget = "blocks.0.hook_mlp_out"
        let (doubled, cache) = try model.runWithCache(tokens, names: ["blocks.0.hook_mlp_out"], hooks: [
            (name, { x, _ in x * 2 }), (name, { x, _ in x + 1 }),
        ])
        let (_, plain) = try model.runWithCache(tokens, names: ["blocks.0.hook_mlp_out"])
        #expect(scaledError(try cache["mlp_out", 0], try plain["mlp_out", 0] * 2 + 1) < 1e-6)
        #expect(scaledError(doubled, clean) > 1e-3)
    }

    /// Attached hooks run on every call until reset; permanent ones survive `resetHooks()`; scoped hooks end
    /// with their closure.
    @Test func attachedPermanentAndScopedHooks() throws {
        var model = LensModel(try LensFixture.model("gpt2", processed: true))
        let tokens = try LensFixture.tokens("gpt2")
        let clean = try model(tokens)
        let ablate: HookFunction = { x, _ in Tensor(zeros: x.shape) }
        try model.addHook("blocks.1.hook_mlp_out", ablate)
        let ablated = try model(tokens)
        #expect(scaledError(ablated, clean) > 1e-3)
        #expect(try model.runWithCache(tokens).0.scalars == ablated.scalars)
        model.resetHooks()
        #expect(try model(tokens).scalars == clean.scalars)

        try model.addPermaHook("blocks.1.hook_mlp_out", ablate)
        model.resetHooks()
        #expect(try model(tokens).scalars == ablated.scalars)
        model.resetHooks(includingPermanent: true)
        #expect(model.attachedHookNames.isEmpty)

        let inside = try model.withHooks([("blocks.1.hook_mlp_out", ablate)]) { scoped in try scoped(tokens) }
        #expect(inside.scalars == ablated.scalars)
        #expect(try model(tokens).scalars == clean.scalars)
        #expect(throws: LensError.self) { try model.addHook("blocks.1.hook_mlp_output", ablate) }
    }
}
