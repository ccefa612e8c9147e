import Foundation
import Lens
import Testing

/// Path patching: fast equals naive, and two cases with independent answers.
@Suite struct PathPatchingTests {
    /// Every head as sender, to the logits and to the q/k/v of later heads: fast equals naive within 1e-5
    /// (gpt2, and llama whose k/v receivers are key/value heads).
    @Test(arguments: ["gpt2", "llama"])
    func fastEqualsNaive(_ name: String) throws {
        let setup = try PatchingSetup(name)
        let metric = try setup.rawMetric()
        let receivers: [PathReceiver] = [.logits, .heads([AttentionHead(layer: 1, head: 1)], inputs: [.q, .k, .v]),
                                         .heads([AttentionHead(layer: 1, head: 0), AttentionHead(layer: 0, head: 1)], inputs: [.v])]
        for receiver in receivers {
            let results = try PatchStrategy.allCases.map { strategy in
                try setup.model.pathPatch(clean: setup.clean, corrupted: setup.corrupted, receiver: receiver, metric: metric,
                                          options: PatchingOptions(strategy: strategy, maxBatchBytes: 1 << 16, showProgress: false))
            }
            #expect(results[0].shape == [2, 4])
            #expect(maxAbsDifference(results[0], results[1]) < 1e-5, "\(name) \(receiver): \(maxAbsDifference(results[0], results[1]))")
        }
        let pairs = try PatchStrategy.allCases.map { strategy in
            try setup.model.pathPatch(senderSets: [[AttentionHead(layer: 0, head: 0), AttentionHead(layer: 0, head: 3)],
                                                   [AttentionHead(layer: 0, head: 2), AttentionHead(layer: 1, head: 1)]],
                                      clean: setup.clean, corrupted: setup.corrupted, receiver: .logits, metric: metric,
                                      options: PatchingOptions(strategy: strategy, showProgress: false))
        }
        #expect(zip(pairs[0], pairs[1]).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    /// Last-layer senders to the logits equal patching the head's output into the clean run (nothing but
    /// the MLP lies downstream); receivers at or before the sender's layer keep the clean metric.
    @Test func lastLayerSendersEqualHeadOutputPatching() throws {
        let setup = try PatchingSetup("gpt2")
        let metric = try setup.rawMetric()
        let options = PatchingOptions(showProgress: false)
        let paths = try setup.model.pathPatch(clean: setup.clean, corrupted: setup.corrupted, receiver: .logits,
                                              metric: metric, options: options)
        let direct = try setup.model.actPatch(.headZAllPos, clean: setup.clean, corrupted: setup.corrupted, direction: .noising,
                                              metric: metric, options: options)
        #expect(maxAbsDifference(paths[1], direct[1]) < 1e-5)
        let toLayer0 = try setup.model.pathPatch(clean: setup.clean, corrupted: setup.corrupted,
                                                 receiver: .heads([AttentionHead(layer: 0, head: 2)], inputs: [.q, .k]),
                                                 metric: metric, options: options)
        let clean = try metric(setup.cleanLogits)
        #expect(toLayer0.scalars.allSatisfy { abs($0 - clean) < 1e-5 })
    }

    /// In an attention-only model a sender's direct path to the logits adds `(z_corrupted − z_clean) · W_O`
    /// of that head to the clean final residual and nothing else.
    @Test func attentionOnlyDirectEffect() throws {
        let setup = try PatchingSetup("attn_only_2l")
        let model = setup.model
        let metric = try setup.rawMetric()
        let paths = try model.pathPatch(clean: setup.clean, corrupted: setup.corrupted, receiver: .logits, metric: metric,
                                        options: PatchingOptions(showProgress: false))
        let (_, cleanCache) = try model.runWithCache(setup.clean)
        let (_, corruptedCache) = try model.runWithCache(setup.corrupted)
        let final = try cleanCache["resid_post", 1]
        for (layer, head) in [(0, 1), (0, 3), (1, 2)] {
            let delta = (try corruptedCache["z", layer] - cleanCache["z", layer])[.all, .all, head].matmul(model.W_O[layer, head])
            let logits = try model.forward(residual: final + delta, startAtLayer: 2)
            #expect(abs(paths.value(at: [layer, head]) - (try metric(logits))) < 1e-4, "L\(layer)H\(head)")
        }
    }

    /// Bad senders, receivers and token shapes are errors.
    @Test func errors() throws {
        let setup = try PatchingSetup("llama")
        let metric = try setup.rawMetric()
        #expect(throws: LensError.self) {
            _ = try setup.model.pathPatch(senderSets: [[AttentionHead(layer: 2, head: 0)]], clean: setup.clean,
                                          corrupted: setup.corrupted, receiver: .logits, metric: metric)
        }
        #expect(throws: LensError.self) {
            _ = try setup.model.pathPatch(clean: setup.clean, corrupted: setup.corrupted,
                                          receiver: .heads([AttentionHead(layer: 1, head: 3)], inputs: [.k]), metric: metric)
        }
        #expect(throws: LensError.self) {
            _ = try setup.model.pathPatch(clean: setup.clean, corrupted: setup.corrupted[.all, 0..<4], receiver: .logits, metric: metric)
        }
    }
}
