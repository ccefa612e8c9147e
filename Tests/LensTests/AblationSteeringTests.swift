import Foundation
import Lens
import Testing

/// Ablation and steering against TransformerLens hooks (`Tests/Fixtures/lens/gpt2/ablation.npz`).
@Suite struct AblationSteeringTests {
    let model: HookedTransformer
    let tokens: Tensor
    let corrupted: Tensor
    let archive: NpzArchive

    init() throws {
        model = try LensFixture.model("gpt2", processed: true)
        let info = try LensFixture.json("gpt2/ablation")
        tokens = tokenTensor(info["tokens"])
        corrupted = tokenTensor(info["corrupted_tokens"])
        archive = try LensFixture.archive("gpt2", "ablation")
    }

    /// Zero, batch-mean and resample ablation of head 1.2, zero ablation of neuron 0.5 and a batch-mean
    /// ablation of attn_out at position 3 give TransformerLens's logits within 1e-4.
    @Test func ablationsMatchTransformerLens() throws {
        let (_, corruptedCache) = try model.runWithCache(corrupted)
        let cases: [(String, Ablation)] = [
            ("zero_ablate_head", Ablation(.head(layer: 1, head: 2), method: .zero)),
            ("mean_ablate_head", Ablation(.head(layer: 1, head: 2), method: .mean)),
            ("resample_ablate_head", Ablation(.head(layer: 1, head: 2), method: .resample(try corruptedCache["z", 1]))),
            ("zero_ablate_neuron", Ablation(.neuron(layer: 0, neuron: 5))),
            ("mean_ablate_attn_out_position", Ablation(ActivationRegion(hook: "blocks.0.hook_attn_out", position: 3), method: .mean)),
        ]
        for (key, ablation) in cases {
            let logits = try model.runWithAblations(tokens, [ablation])
            #expect(scaledError(logits, try archive.tensor(key)) < 1e-4, "\(key)")
        }
    }

    /// Reference means: `.meanOf` a reference cache equals `.meanOver` its tokens, and a reference with a
    /// different length is averaged over its (masked-in) positions too; batch resampling permutes rows.
    @Test func referenceMeansAndBatchResampling() throws {
        let region = ActivationRegion.head(layer: 1, head: 2)
        let (_, reference) = try model.runWithCache(corrupted)
        let byCache = try model.ablate(tokens, region, method: .meanOf(try reference["z", 1]))
        let byTokens = try model.ablate(tokens, region, method: .meanOver(tokens: corrupted))
        #expect(scaledError(byCache, byTokens) == 0)
        // Mean of a 3-position reference: every position gets the average over rows and positions.
        let short = corrupted[.all, 0..<3].contiguous()
        let (_, shortCache) = try model.runWithCache(short)
        let expected = try shortCache["z", 1][.all, .all, 2].mean(axes: [0, 1])
        let hook: HookFunction = { z, _ in
            for p in 0..<7 { #expect(scaledError(z[0, p, 2], expected) < 1e-6) }
            return nil
        }
        let allReal = Tensor.ones([short.shape[0], 3])
        _ = try model.runWithHooks(tokens, hooks: try model.ablationHooks([Ablation(region, method: .meanOver(tokens: short,
                                                                                                          attentionMask: allReal))])
                                   + [("blocks.1.attn.hook_z", hook)])
        // Batch resampling swaps the two rows' values.
        let (_, own) = try model.runWithCache(tokens)
        let otherRow = try own["z", 1][1, .all, 2]
        let swapped: HookFunction = { z, _ in
            #expect(scaledError(z[0, .all, 2], otherRow) == 0)
            return nil
        }
        _ = try model.runWithHooks(tokens, hooks: try model.ablationHooks([Ablation(region, method: .resampleBatch(seed: 3))])
                                   + [("blocks.1.attn.hook_z", swapped)])
    }

    /// Selectors the activation has no axis for, or outside it, and mismatched references are errors.
    @Test func ablationErrors() throws {
        let bad: [Ablation] = [
            Ablation(ActivationRegion(hook: "blocks.0.hook_resid_pre", head: 1)),
            Ablation(ActivationRegion.head(layer: 1, head: 9)),
            Ablation(ActivationRegion(hook: "blocks.0.attn.hook_pattern", neuron: 1)),
            Ablation(ActivationRegion.head(layer: 1, head: 0), method: .resample(Tensor(zeros: [2, 7, 4]))),
            Ablation(ActivationRegion.head(layer: 1, head: 0), method: .meanOf(Tensor(zeros: [2, 7, 3, 16]))),
            Ablation(ActivationRegion(hook: "blocks.7.hook_resid_pre")),
        ]
        for ablation in bad {
            #expect(throws: LensError.self, "\(ablation.region)") { _ = try model.runWithAblations(tokens, [ablation]) }
        }
    }

    /// Steering at one position, at every position, and during greedy generation (with and without the
    /// key/value cache) matches TransformerLens.
    @Test func steeringMatchesTransformerLens() throws {
        let vector = try archive.tensor("steering_vector")
        let hook = "blocks.1.hook_resid_pre"
        let one = try model.runWithSteering(tokens, [SteeringVector(hook: hook, direction: vector, positions: [3])])
        #expect(scaledError(one, try archive.tensor("steer_position")) < 1e-4)
        let all = try model.runWithSteering(tokens, [SteeringVector(hook: hook, direction: vector / 2, scale: 2)])
        #expect(scaledError(all, try archive.tensor("steer_all_positions")) < 1e-4)
        let expected = try archive.tensor("steered_greedy_tokens").intScalars
        for useCache in [true, false] {
            let options = GenerationOptions(maxNewTokens: 6, sampling: .greedy, stopAtEOS: false, useKVCache: useCache)
            let generated = try model.generate([tokens[0].intScalars], steering: [SteeringVector(hook: hook, direction: vector)],
                                               options: options)
            #expect(generated == [expected], "cache \(useCache)")
        }
    }

    /// A steered position is steered exactly once whether generation caches keys or not, and bad steering
    /// vectors are errors.
    @Test func steeredPositionsInGenerationAndErrors() throws {
        let vector = try archive.tensor("steering_vector") * 3
        let steering = [SteeringVector(hook: "blocks.0.hook_resid_post", direction: vector, positions: [2, 8])]
        let options = GenerationOptions(maxNewTokens: 4, sampling: .greedy, stopAtEOS: false)
        let prompts = [tokens[0].intScalars, Array(tokens[1].intScalars.prefix(5))]
        var uncached = options
        uncached.useKVCache = false
        #expect(try model.generate(prompts, steering: steering, options: options)
                == model.generate(prompts, steering: steering, options: uncached))
        #expect(throws: LensError.self) {
            _ = try model.runWithSteering(tokens, [SteeringVector(hook: "blocks.0.hook_resid_pre", direction: Tensor(zeros: [5]))])
        }
        #expect(throws: LensError.self) {
            _ = try model.runWithSteering(tokens, [SteeringVector(hook: "blocks.0.hook_resid_pre", direction: vector, positions: [-1])])
        }
        #expect(throws: LensError.self) {
            _ = try model.generate(prompts, steering: [SteeringVector(hook: "blocks.0.hook_nope", direction: vector)])
        }
    }
}
