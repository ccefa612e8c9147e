import Foundation
import Lens
import Testing

/// The fast patching path (reuse the residual below the patched layer, stack patches along the batch,
/// unembed only the metric's positions) against one full forward per patch, on every sweep.
@Suite struct PatchingStrategyTests {
    /// Every sweep (denoising) on gpt2 (MLP), llama (grouped-query k/v) and the attention-only model: fast
    /// equals naive within 1e-5 (absolute, on the normalised metric). The destination-by-source pattern sweep
    /// (one forward per pattern entry on the naive side) runs on gpt2 only.
    @Test(arguments: ["gpt2", "llama", "attn_only_2l"])
    func fastEqualsNaiveOnEverySweep(_ name: String) throws {
        let setup = try PatchingSetup(name)
        let metric = try setup.normalisedMetric()
        let (_, cache) = try setup.model.runWithCache(setup.clean)
        let hasMLP = !setup.model.config.attnOnly
        for sweep in PatchSweep.allCases where hasMLP || ![.residMid, .mlpOut, .blockEvery].contains(sweep) {
            if sweep == .headPatternDestSrcPos, name != "gpt2" { continue }
            // A small batch budget forces several stacked passes per layer.
            let fast = try setup.model.actPatch(sweep, corruptedTokens: setup.corrupted, cleanCache: cache, metric: metric,
                                                options: PatchingOptions(strategy: .fast, maxBatchBytes: 1 << 20, showProgress: false))
            let naive = try setup.model.actPatch(sweep, corruptedTokens: setup.corrupted, cleanCache: cache, metric: metric,
                                                 options: PatchingOptions(strategy: .naive, showProgress: false))
            #expect(fast.shape == naive.shape, "\(name) \(sweep)")
            #expect(maxAbsDifference(fast, naive) < 1e-5, "\(name) \(sweep): \(maxAbsDifference(fast, naive))")
        }
    }

    /// A metric reading every position takes the full-logits branch of the fast path; the KL and log-prob
    /// metrics agree too, as does noising.
    @Test func fastEqualsNaiveForOtherMetricsAndNoising() throws {
        let setup = try PatchingSetup("gpt2")
        let raw = try setup.rawMetric()
        let allPositions = PatchingMetric(positions: .all) { logits in
            try raw(logits) + logits[.all, 0..<2].mean().item()
        }
        let metrics: [PatchingMetric] = [allPositions, .logProb(tokens: setup.answers),
                                         try .klDivergence(from: setup.cleanLogits)]
        for metric in metrics {
            for direction in PatchDirection.allCases {
                for sweep in [PatchSweep.residPre, .headZAllPos, .mlpOut] {
                    let results = try PatchStrategy.allCases.map { strategy in
                        try setup.model.actPatch(sweep, clean: setup.clean, corrupted: setup.corrupted, direction: direction,
                                                 metric: metric, options: PatchingOptions(strategy: strategy, showProgress: false))
                    }
                    #expect(maxAbsDifference(results[0], results[1]) < 1e-5, "\(sweep) \(direction)")
                }
            }
        }
    }
}

extension PatchingStrategyTests {
    /// The pieces the fast path builds on: a residual pass from block L over positions p… continuing a
    /// key/value cache of the earlier positions gives the full pass's logits at those positions (llama: the
    /// rotary positions continue after the cache).
    @Test(arguments: ["gpt2", "llama"])
    func residualPassContinuesACache(_ name: String) throws {
        let model = try LensFixture.model(name, processed: true)
        let tokens = try LensFixture.tokens(name)
        let full = KVCache(layers: 2, batch: 2)
        let logits = try model.forward(tokens: tokens, cache: full)
        let (_, cache) = try model.runWithCache(tokens, names: ["blocks.1.hook_resid_pre"])
        for p in [1, 4] {
            let prefix = try KVCache(keys: [nil, full.keys(layer: 1)![.all, 0..<p]],
                                     values: [nil, full.values(layer: 1)![.all, 0..<p]])
            let rest = try model.forward(residual: try cache["resid_pre", 1][.all, p...], startAtLayer: 1, cache: prefix)
            #expect(scaledError(rest, logits[.all, p...]) < 1e-5, "\(name) p \(p)")
            #expect(prefix.length == 7)
        }
        #expect(throws: ForwardError.self) {
            _ = try model.forward(residual: try cache["resid_pre", 1], startAtLayer: 0,
                                  cache: try KVCache(keys: [nil, full.keys(layer: 1)!], values: [nil, full.values(layer: 1)!]))
        }
        #expect(throws: ForwardError.self) { _ = try KVCache(keys: [nil, nil], values: [nil, nil]) }
    }
}

/// `max |a − b|`, infinite when the shapes differ.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape else { return .infinity }
    return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
}

extension PatchingStrategyTests {
    /// Hooks attached to a `LensModel` run in every patching pass: a per-row scaling of `hook_resid_mid`
    /// (shaped for the model's own batch of 2, so stacked copies must reach it one at a time) and a
    /// `ln_final` hook (after the last block, where the fast path would otherwise skip hooks). Every sweep
    /// entry equals a direct `runWithHooks` of the corrupted tokens with that one patch, fast and naive alike,
    /// and differs from the sweep without the attached hooks.
    @Test func attachedHooksRunInEveryPatchedPass() throws {
        let setup = try PatchingSetup("gpt2")
        var lens = LensModel(setup.model)
        let rowScale = Tensor([1.5, 0.5], shape: [2, 1, 1])
        try lens.addHook("blocks.0.hook_resid_mid") { act, _ in act * rowScale }
        try lens.addHook("ln_final.hook_normalized") { act, _ in act * 1.25 }
        let metric = try setup.rawMetric()
        let (_, cache) = try lens.runWithCache(setup.clean)
        let results = try PatchStrategy.allCases.map { strategy in
            try lens.actPatch(.headZAllPos, corruptedTokens: setup.corrupted, cleanCache: cache, metric: metric,
                              options: PatchingOptions(strategy: strategy, maxBatchBytes: 1 << 20, showProgress: false))
        }
        #expect(maxAbsDifference(results[0], results[1]) < 1e-5)
        let cleanZ = try cache["z", 1]
        for head in 0..<setup.model.config.nHeads {
            let logits = try lens.runWithHooks(setup.corrupted, hooks: [("blocks.1.attn.hook_z", { act, _ in
                var patched = act
                patched[.all, .all, head] = cleanZ[.all, .all, head]
                return patched
            })])
            let direct = try metric(logits)
            #expect(abs(results[0][1, head].item() - direct) < 1e-4, "head 1.\(head)")
        }
        let unhooked = try setup.model.actPatch(.headZAllPos, corruptedTokens: setup.corrupted, cleanCache: cache,
                                                metric: metric, options: PatchingOptions(showProgress: false))
        #expect(maxAbsDifference(results[0], unhooked) > 1e-2)
        // From tokens, the source run is hooked too: the same as patching in the hooked cache.
        let byTokens = try lens.actPatch(.residPre, clean: setup.clean, corrupted: setup.corrupted, metric: metric,
                                         options: PatchingOptions(showProgress: false))
        let byCache = try lens.actPatch(.residPre, corruptedTokens: setup.corrupted, cleanCache: cache, metric: metric,
                                        options: PatchingOptions(showProgress: false))
        #expect(maxAbsDifference(byTokens, byCache) < 1e-6)
    }
}
