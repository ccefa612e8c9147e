import Foundation
import Lens
import Testing

/// Cache helpers: head results, stacking by name, batch slicing, slices, iteration and printing.
@Suite struct CacheUtilityTests {
    /// `computeHeadResults` stores `blocks.L.attn.hook_result` equal to the hooked model's own
    /// `hook_result` (1e-5 scaled), and the heads plus `b_O` add up to `hook_attn_out`.
    @Test func headResultsMatchTheResultHook() throws {
        var model = try LensFixture.model("gpt2", processed: false)
        let tokens = try LensFixture.tokens("gpt2")
        var (_, cache) = try model.runWithCache(tokens)
        #expect(!cache.contains("blocks.0.attn.hook_result"))
        try cache.computeHeadResults()
        model.setUseAttnResult(true)
        let (_, hooked) = try model.runWithCache(tokens, names: .filter { $0.hasSuffix("hook_result") })
        for layer in 0..<model.config.nLayers {
            let computed = try cache["result", layer]
            #expect(scaledError(computed, try hooked["result", layer]) < 1e-5)
            let summed = computed.sum(axis: 2) + model.blocks[layer].attn.b_O
            #expect(scaledError(summed, try cache["attn_out", layer]) < 1e-5)
        }
        #expect(cache.keys.suffix(2) == ["blocks.0.attn.hook_result", "blocks.1.attn.hook_result"])
    }

    /// `stackActivation` stacks one activation over layers; `applySliceToBatchDim` keeps or drops the batch
    /// axis; slices select like Python; iteration follows key order; the description lists the keys.
    @Test func stackingSlicingAndIteration() throws {
        let model = try LensFixture.model("llama", processed: true)
        let (_, cache) = try model.runWithCache(try LensFixture.tokens("llama"))
        let patterns = try cache.stackActivation("pattern")
        #expect(patterns.shape == [2, 2, 4, 7, 7])
        #expect(try patterns[1].scalars == cache["pattern", 1].scalars)

        let second = try cache.applySliceToBatchDim(.index(1))
        #expect(!second.hasBatchDim)
        #expect(try second["resid_pre", 0].shape == [7, 64])
        #expect(try second["resid_pre", 0].scalars == cache["resid_pre", 0][1].scalars)
        let kept = try cache.applySliceToBatchDim(.range(start: 1, stop: nil))
        #expect(kept.hasBatchDim)
        #expect(try kept["resid_pre", 0].shape == [1, 7, 64])

        let x = Tensor((0..<10).map(Float.init), shape: [10])
        #expect(try AxisSlice.range(start: 1, stop: 8, step: 3).apply(x, axis: 0).scalars == [1, 4, 7])
        #expect(try AxisSlice.range(start: nil, stop: nil, step: -4).apply(x, axis: 0).scalars == [9, 5, 1])
        #expect(try AxisSlice.indices([-1, 0]).apply(x, axis: 0).scalars == [9, 0])
        #expect(try (-2 as AxisSlice).apply(x, axis: 0).shape == [])
        #expect(throws: LensError.self) { _ = try AxisSlice.index(10).apply(x, axis: 0) }

        #expect(cache.map(\.name) == cache.keys)
        #expect(cache.description.hasPrefix("ActivationCache with keys ['hook_embed', 'blocks.0.hook_resid_pre'"))
        #expect(cache.batchSize == 2 && cache.count == cache.keys.count)
    }

    /// Weight-based helpers: `accumulatedBias` sums the output biases up to a layer, and rejects layers
    /// outside `0...n_layers`.
    @Test func accumulatedBias() throws {
        let model = try LensFixture.model("gpt2", processed: false)
        let blocks = model.blocks
        let expected = blocks[0].attn.b_O + blocks[0].mlp!.b_out + blocks[1].attn.b_O
        #expect(scaledError(try model.accumulatedBias(layer: 1, mlpInput: true), expected) < 1e-6)
        #expect(scaledError(try model.accumulatedBias(layer: 2, includeMLPBiases: false),
                            blocks[0].attn.b_O + blocks[1].attn.b_O) < 1e-6)
        #expect(throws: LensError.self) { _ = try model.accumulatedBias(layer: 3) }
        #expect(throws: LensError.self) { _ = try model.accumulatedBias(layer: 2, mlpInput: true) }
    }
}
