import Foundation
import Lens
import Testing

/// Gradients at hook points through the Lens API: `runWithGradients`, `runWithCache(inclBackward:)`, backward
/// hooks (`dir: .backward`) that observe or replace gradients, and the typed errors for bad input.
@Suite struct GradientHookTests {
    static let tokens = Tensor(ints: [3, 17, 42, 8, 99, 5, 61, 7, 120, 33, 2, 11, 9, 70], shape: [2, 7])

    static func model() throws -> HookedTransformer { try LensFixture.model("gpt2", processed: true) }

    static func metric() throws -> GradientMetric { try .logitDiff(answers: [3, 3], wrong: [5, 5]) }

    /// `runWithCache(inclBackward:)` holds the activations, then `NAME_grad` in backward order; the gradients equal
    /// TransformerLens's backward hooks on the fixture tokens (processed weights) within 1e-4.
    @Test func inclBackwardCacheMatchesTransformerLens() throws {
        let model = try Self.model()
        let tokens = try LensFixture.tokens("gpt2")
        let (logits, cache) = try model.runWithCache(tokens, inclBackward: Self.metric())
        #expect(logits.shape == [2, 7, model.config.dVocabOut])
        let names = model.hookPointNames
        #expect(Array(cache.keys.prefix(names.count)) == names)
        #expect(Array(cache.keys.dropFirst(names.count)) == names.reversed().map { $0 + "_grad" })
        let reference = try NpzArchive(contentsOf: LensFixture.fixtures.appendingPathComponent("gradients/gpt2/tl_grads.npz").path)
        for hook in reference.names {
            let ours = try cache[hook + "_grad"], theirs = try reference.tensor(hook)
            let error = ((ours - theirs).abs().max().item()) / max(1, theirs.abs().max().item())
            #expect(error < 1e-4, "\(hook): \(error)")
        }
    }

    /// A backward hook that zeroes the gradient at `hook_attn_out` cuts the attention path: the gradient at the
    /// block's input then equals the gradient at `hook_resid_mid`. Hooks attached to a `LensModel` with
    /// `dir: .backward` run too, and see the gradient.
    @Test func backwardHookReplacesGradient() throws {
        var lens = LensModel(try Self.model())
        var seen: [Int] = []
        try lens.addHook("blocks.1.hook_attn_out", dir: .backward) { gradient, _ in
            seen = gradient.shape
            return Tensor(zeros: gradient.shape)
        }
        let run = try lens.runWithGradients(Self.tokens, metric: Self.metric(),
                                            gradientNames: ["blocks.1.hook_resid_pre", "blocks.1.hook_resid_mid"])
        #expect(seen == [2, 7, 64])
        let pre = try run.gradients["blocks.1.hook_resid_pre"], mid = try run.gradients["blocks.1.hook_resid_mid"]
        #expect((pre - mid).abs().max().item() == 0)
        let free = try Self.model().runWithGradients(Self.tokens, metric: Self.metric(),
                                                     gradientNames: ["blocks.1.hook_resid_pre"])
        #expect((try free.gradients["blocks.1.hook_resid_pre"] - pre).abs().max().item() > 1e-3)
    }

    /// A backward hook returning a gradient of the wrong shape is a typed error naming the hook.
    @Test func wrongShapedGradientIsNamed() throws {
        #expect(throws: BackwardError.gradientShapeMismatch(hook: "blocks.0.attn.hook_z", expected: [2, 7, 4, 16],
                                                            found: [2, 7])) {
            try Self.model().runWithGradients(Self.tokens, metric: Self.metric(), gradientNames: [],
                                              backwardHooks: [("blocks.0.attn.hook_z", { _, _ in Tensor(zeros: [2, 7]) })])
        }
    }

    /// Non-finite gradients are reported at the first hook point where they appear: a metric with a NaN gradient at
    /// `unembed.hook_out`, a hook injecting infinity at that hook point.
    @Test func nonFiniteGradientsNameTheFirstHook() throws {
        let model = try Self.model()
        let nan = GradientMetric(positions: .last) { logits in (0, Tensor.full(logits.shape, .nan)) }
        #expect(throws: BackwardError.nonFiniteGradient(hook: "unembed.hook_out", count: 2 * 211)) {
            try model.runWithGradients(Self.tokens, metric: nan, gradientNames: [])
        }
        let inject: HookFunction = { gradient, _ in
            var g = gradient
            g[0, 3, 5] = Tensor(scalar: .infinity)
            return g
        }
        #expect(throws: BackwardError.nonFiniteGradient(hook: "blocks.1.hook_resid_mid", count: 1)) {
            try model.runWithGradients(Self.tokens, metric: Self.metric(), gradientNames: [],
                                       backwardHooks: [("blocks.1.hook_resid_mid", inject)])
        }
    }

    /// Unknown hook names are refused before anything runs; a metric that does not depend on the activations
    /// (answer = wrong) gives zeros and lists every hook point in `zeroGradients`.
    @Test func unknownNamesAndIndependentMetric() throws {
        let model = try Self.model()
        #expect(throws: LensError.self) {
            try model.runWithGradients(Self.tokens, metric: Self.metric(), gradientNames: ["blocks.0.hook_resid_pr"])
        }
        let flat = try GradientMetric.logitDiff(answers: [4, 4], wrong: [4, 4])
        let run = try model.runWithGradients(Self.tokens, metric: flat, gradientNames: ["blocks.0.hook_resid_pre", "hook_embed"])
        #expect(Set(run.zeroGradients) == ["blocks.0.hook_resid_pre", "hook_embed"])
        #expect(run.value == 0)
        let live = try model.runWithGradients(Self.tokens, metric: Self.metric(), gradientNames: ["blocks.0.hook_resid_pre"])
        #expect(live.zeroGradients.isEmpty)
    }
}

/// Attribution patching: the AtP formula against TransformerLens autograd, and the layouts of every sweep.
@Suite struct AttributionPatchingTests {
    /// `resid_pre` and `head_z_all_pos` estimates equal `metric(corrupted) + Σ (clean − corrupted) · grad` from
    /// TransformerLens autograd (gpt2 fixture, processed) within 1e-4.
    @Test func atpMatchesTransformerLensAutograd() throws {
        let model = try LensFixture.model("gpt2", processed: true)
        let tokens = try LensFixture.tokens("gpt2")
        let clean = tokens[0...0], corrupted = tokens[1...1]
        let metric = try GradientMetric.logitDiff(answers: [3], wrong: [5])
        let reference = try NpzArchive(contentsOf: LensFixture.fixtures.appendingPathComponent("gradients/gpt2/atp.npz").path)
        for sweep in [PatchSweep.residPre, .headZAllPos] {
            let ours = try model.attributionPatch(sweep, clean: clean, corrupted: corrupted, metric: metric)
            let theirs = try reference.tensor(sweep.rawValue)
            let error = (ours - theirs).abs().max().item() / max(1, theirs.abs().max().item())
            #expect(error < 1e-4, "\(sweep): \(error)")
        }
    }

    /// Every sweep's estimate has the exact sweep's (TransformerLens's) shape, and on the demo model's IOI prompt
    /// the head-z estimates correlate with the exact sweep (AtP is a first-order estimate: the assertion asks only
    /// for a clearly positive correlation; `lens attrib-patch --compare` prints it, 0.999 here).
    @Test func everySweepHasTheExactLayout() throws {
        let lens = try LensModel(pretrained: DemoModel.folder())
        let prompts = try DemoPrompts(contentsOf: DemoModel.folder().appendingPathComponent("prompts.json"))
        let ioi = try #require(prompts.cases.first { $0.task == "ioi" })
        let clean = try lens.toTokens(ioi.prompt), corrupted = try lens.toTokens(try #require(ioi.corrupted))
        let metric = try GradientMetric.logitDiff(answers: [lens.toSingleToken(ioi.answer)],
                                                  wrong: [lens.toSingleToken(try #require(ioi.wrong))])
        let (l, p, h) = (lens.config.nLayers, clean.shape[1], lens.config.nHeads)
        let shapes: [PatchSweep: [Int]] = [
            .residPre: [l, p], .residMid: [l, p], .residPost: [l, p], .attnOut: [l, p], .mlpOut: [l, p],
            .blockEvery: [3, l, p], .headZAllPos: [l, h], .headQAllPos: [l, h], .headKAllPos: [l, h],
            .headVAllPos: [l, h], .headPatternAllPos: [l, h], .headAllPosEvery: [5, l, h], .headZByPos: [l, p, h],
            .headQByPos: [l, p, h], .headKByPos: [l, p, h], .headVByPos: [l, p, h], .headPatternByPos: [l, h, p],
            .headByPosEvery: [5, l, p, h], .headPatternDestSrcPos: [l, h, p, p],
        ]
        let all = try lens.attributionPatch(PatchSweep.allCases, clean: clean, corrupted: corrupted, metric: metric)
        for (sweep, estimate) in zip(PatchSweep.allCases, all) { #expect(estimate.shape == shapes[sweep], "\(sweep)") }
        for sweep in [PatchSweep.headZAllPos] {
            let estimate = all[PatchSweep.allCases.firstIndex(of: sweep)!]
            let alone = try lens.attributionPatch(sweep, clean: clean, corrupted: corrupted, metric: metric)
            #expect((estimate - alone).abs().max().item() == 0)
            let exact = try lens.actPatch(sweep, clean: clean, corrupted: corrupted, metric: metric.patchingMetric)
            #expect(try pearsonCorrelation(estimate, exact) > 0.5, "\(sweep)")
        }
    }
}
