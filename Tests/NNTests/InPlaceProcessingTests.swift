import Foundation
@testable import NN
import Testing

/// Weight processing one layer at a time, in place (`WeightProcessing.apply(to:config:finished:)`), on the
/// stored-dtype fixtures (`qwen2_bf16`: separate q/k/v and gate/up in `nn.Linear` layout; `gpt2_f16`: LayerNorm,
/// fused `c_attn`, Conv1D layout).
@Suite struct InPlaceProcessingTests {
    static func raw(_ name: String) throws -> (ModelConfig, StateDict) {
        try HookedTransformer.unprocessedWeights(StoredPrecisionTests.folder(name))
    }

    /// A widened state dict nothing else holds is processed in place: the folded `W_in` and the centred or folded
    /// `W_out` / `W_Q` keep their buffers. The numbers equal processing a copy whose originals stay alive (which
    /// must copy), exactly, and those originals are left unchanged.
    @Test(arguments: StoredPrecisionTests.cases)
    func processingRewritesWidenedWeightsInPlace(name: String) throws {
        let (config, raw) = try Self.raw(name)
        let kept = raw.widenedToFloat32()
        let before = kept["blocks.0.mlp.W_in"]!.scalars
        let (_, copied) = try WeightProcessing.default.apply(to: kept, config: config)
        #expect(kept["blocks.0.mlp.W_in"]!.scalars == before, "a state dict still held elsewhere is not written")

        let unique = raw.widenedToFloat32()
        let rewritten = name.hasPrefix("gpt2") ? ["blocks.0.mlp.W_in", "blocks.1.mlp.W_out"]
                                               : ["blocks.0.mlp.W_in", "blocks.1.attn.W_Q", "blocks.0.mlp.W_gate"]
        weak let first = unique[rewritten[0]]!.storage
        weak let second = unique[rewritten[1]]!.storage
        let (_, inPlace) = try WeightProcessing.default.apply(to: consume unique, config: config)
        #expect(first != nil && inPlace[rewritten[0]]!.storage === first, "\(rewritten[0]) rewritten in place")
        #expect(second != nil && inPlace[rewritten[1]]!.storage === second, "\(rewritten[1]) rewritten in place")
        #expect(Set(inPlace.names) == Set(copied.names))
        for tensorName in copied.names {
            #expect(inPlace[tensorName]!.scalars == copied[tensorName]!.scalars, "\(tensorName)")
        }
    }

    /// `finished` sees each layer's tensors once, layer by layer, then the rest; rounding each group back to the
    /// stored dtype there gives exactly the weights of rounding the whole processed model at the end.
    @Test(arguments: StoredPrecisionTests.cases)
    func layerByLayerRoundingEqualsRoundingAtTheEnd(name: String) throws {
        let (config, raw) = try Self.raw(name)
        var groups: [[String]] = []
        let (_, streamed) = try WeightProcessing.default.apply(to: raw, config: config) { weights, names in
            groups.append(names)
            weights.round(names, toTypesOf: raw)
        }
        #expect(groups.count == config.nLayers + 1)
        for l in 0..<config.nLayers {
            #expect(!groups[l].isEmpty && groups[l].allSatisfy { $0.hasPrefix("blocks.\(l).") })
        }
        #expect(groups.last!.contains("unembed.W_U") && groups.last!.allSatisfy { !$0.hasPrefix("blocks.") })
        var atTheEnd = try WeightProcessing.default.apply(to: raw, config: config).1
        atTheEnd.round(atTheEnd.names, toTypesOf: raw)
        #expect(streamed["blocks.0.attn.W_Q"]!.dtype == raw["blocks.0.attn.W_Q"]!.dtype)
        for tensorName in atTheEnd.names {
            let a = streamed[tensorName]!, b = atTheEnd[tensorName]!
            #expect(a.dtype == b.dtype && a.scalars == b.scalars, "\(tensorName)")
        }
    }
}
