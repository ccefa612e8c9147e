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

/// `max |a − b|`, infinite when the shapes differ.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape else { return .infinity }
    return zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
}
