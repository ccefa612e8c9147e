import Foundation
import Lens
import Testing

/// The cache decompositions against TransformerLens (`analyses_<case>.npz`, calls listed in the JSON).
@Suite struct DecompositionParityTests {
    /// Every recorded decomposition, its shape and its labels match within 1e-4 (scaled by the reference's
    /// largest magnitude), processed and unprocessed, on the 2-row batch.
    @Test(arguments: LensFixture.architectures, [true, false])
    func decompositions(name: String, processed: Bool) throws {
        let info = try LensFixture.json("\(name)/analyses_\(LensFixture.suffix(processed))")
        let reference = try LensFixture.archive(name, "analyses_\(LensFixture.suffix(processed))")
        let model = try LensFixture.model(name, processed: processed)
        let (_, cache) = try model.runWithCache(try LensFixture.tokens(name))
        let results = try Self.compute(cache, model: model, tokens: LensFixture.tokens(name),
                                       answer: idTensor(info["answer"]), wrong: idTensor(info["wrong"]))
        let items = info["items"] as! [String: [String: Any]]
        for (key, item) in items {
            guard let (value, labels) = results[key] else {
                Issue.record("\(name): fixture item \(key) has no Swift counterpart in this test")
                continue
            }
            let expected = try reference.tensor(key)
            #expect(value.shape == expected.shape, "\(name) \(key): \(value.shape) vs \(expected.shape)")
            let error = scaledError(value, expected)
            #expect(error < 1e-4, "\(name) \(key): \(error)")
            if let expectedLabels = item["labels"] as? [String] { #expect(labels == expectedLabels, "\(name) \(key)") }
        }
        #expect(Set(items.keys) == Set(results.keys), "\(name): items computed here but not recorded")
        if model.config.attnOnly {
            #expect(throws: LensError.self) { _ = try cache.stackNeuronResults() }
        }
    }

    /// The Swift calls matching the fixture's items (see `call` in `analyses_<case>.json`).
    static func compute(_ cache: ActivationCache, model: HookedTransformer, tokens: Tensor, answer: Tensor,
                        wrong: Tensor) throws -> [String: (Tensor, [String])] {
        let config = model.config
        let mid = !config.attnOnly && !config.parallelAttnMLP
        var out: [String: (Tensor, [String])] = [:]
        func put(_ key: String, _ value: (stack: Tensor, labels: [String])) { out[key] = (value.stack, value.labels) }
        func put(_ key: String, _ value: Tensor) { out[key] = (value, []) }
        put("accumulated_resid", try cache.accumulatedResid(inclMid: mid, applyLn: true, posSlice: -1, returnLabels: true))
        put("accumulated_resid_raw", try cache.accumulatedResid(inclMid: mid, posSlice: -1, returnLabels: true))
        put("accumulated_resid_layer1", try cache.accumulatedResid(layer: 1, inclMid: mid, applyLn: true, posSlice: -1,
                                                                   mlpInput: mid, returnLabels: true))
        put("decompose_resid", try cache.decomposeResid(applyLn: true, posSlice: -1, returnLabels: true))
        let rawDecomposition = try cache.decomposeResid(posSlice: -1)
        put("decompose_resid_raw", rawDecomposition)
        put("decompose_resid_attn_layer1", try cache.decomposeResid(layer: 1, mlpInput: mid, mode: .attn, applyLn: true,
                                                                    posSlice: -1, inclEmbeds: false, returnLabels: true))
        put("stack_head_results", try cache.stackHeadResults(layer: -1, posSlice: -1, applyLn: true, returnLabels: true))
        let heads = try cache.stackHeadResults(layer: -1, posSlice: -1)
        put("stack_head_results_remainder", try cache.stackHeadResults(layer: -1, inclRemainder: true, posSlice: -1,
                                                                       returnLabels: true))
        put("stack_head_results_layer1", try cache.stackHeadResults(layer: 1, posSlice: -1, applyLn: true, returnLabels: true))
        let direction = try model.tokensToResidualDirections(answer[0]) - model.tokensToResidualDirections(wrong[0])
        if !config.attnOnly {
            put("stack_neuron_results", try cache.stackNeuronResults(layer: 1, posSlice: -1, neuronSlice: .range(start: 0, stop: 16),
                                                                     applyLn: true, returnLabels: true))
            put("stack_neuron_results_projected", try cache.stackNeuronResults(layer: 1, posSlice: -1, applyLn: true,
                                                                               projectOutputOnto: direction, returnLabels: true))
            put("full_resid_decomposition_neurons_projected",
                try cache.getFullResidDecomposition(applyLn: true, posSlice: -1, projectOutputOnto: direction, returnLabels: true))
        }
        put("full_resid_decomposition", try cache.getFullResidDecomposition(expandNeurons: false, applyLn: true, posSlice: -1,
                                                                            returnLabels: true))
        put("full_resid_decomposition_raw", try cache.getFullResidDecomposition(expandNeurons: false, posSlice: -1))
        put("logit_attrs_heads", try cache.logitAttrs(heads, tokens: .ids(answer), incorrectTokens: .ids(wrong), posSlice: -1))
        put("logit_attrs_decompose_single_token",
            try cache.logitAttrs(rawDecomposition, tokens: .id(answer.intScalars[0]), posSlice: -1))
        put("apply_ln_to_stack_final", try cache.applyLnToStack(rawDecomposition, posSlice: -1))
        put("apply_ln_to_stack_final_recompute", try cache.applyLnToStack(rawDecomposition, posSlice: -1, recomputeLn: true))
        put("apply_ln_to_stack_layer1_ln1", try cache.applyLnToStack(rawDecomposition, layer: 1, posSlice: -1))
        let pair = Tensor(ints: [answer.intScalars[0], wrong.intScalars[0]], shape: [2])
        put("tokens_to_residual_directions_pair", try model.tokensToResidualDirections(pair))
        put("tokens_to_residual_directions_int", try model.tokensToResidualDirections(answer.intScalars[0]))
        put("tokens_to_residual_directions_2d", try model.tokensToResidualDirections(tokens[.all, 0..<3]))
        put("logit_diff_direction", direction)
        return out
    }

    /// Projecting after stacking equals projecting each component first (the memory-saving path), with and
    /// without the norm, for heads, neurons and the full decomposition (1e-4 scaled).
    @Test(arguments: ["gpt2", "llama"])
    func projectionBeforeStackingMatchesAfter(name: String) throws {
        let model = try LensFixture.model(name, processed: false)
        let (_, cache) = try model.runWithCache(try LensFixture.tokens(name))
        let direction = Tensor.randomNormal([model.config.dModel, 3], seed: 7)
        for applyLn in [false, true] {
            let full = try cache.getFullResidDecomposition(applyLn: applyLn)
            let projected = try cache.getFullResidDecomposition(applyLn: applyLn, projectOutputOnto: direction)
            #expect(scaledError(projected, full.matmul(direction)) < 1e-4, "full, applyLn \(applyLn)")
            let neurons = try cache.stackNeuronResults(applyLn: applyLn)
            let projectedNeurons = try cache.stackNeuronResults(applyLn: applyLn, projectOutputOnto: direction)
            #expect(scaledError(projectedNeurons, neurons.matmul(direction)) < 1e-4, "neurons, applyLn \(applyLn)")
        }
        let total = try cache.getFullResidDecomposition().sum(axis: 0)
        #expect(scaledError(total, try cache["resid_post", -1]) < 1e-4)
    }
}
