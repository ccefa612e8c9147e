import Foundation
import Lens
import Testing

/// The analyses that read weights (factored circuits, residual directions, direct logit attribution, the state
/// dict) give the same numbers on a model holding BF16 weights as on the same weights widened to Float32.
@Suite struct StoredWeightAnalysisTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models/stored/qwen2_bf16")

    @Test func analysesReadStoredWeightsLikeWidenedOnes() throws {
        let stored = try LensModel(pretrained: Self.folder, processing: .none, precision: .stored)
        let wide = try LensModel(pretrained: Self.folder, processing: .none, precision: .float32)
        #expect(stored.W_U.dtype == .bfloat16 && wide.W_U.dtype == .float32)
        func close(_ a: Tensor, _ b: Tensor, _ what: String) {
            #expect(scaledError(a, b) < 1e-6, "\(what): \(scaledError(a, b))")
        }
        close(stored.OV.AB, wide.OV.AB, "OV")
        close(stored.QK.AB, wide.QK.AB, "QK")
        close(try stored.tokensToResidualDirections(.ids(Tensor(ints: [3, 5], shape: [2]))),
              try wide.tokensToResidualDirections(.ids(Tensor(ints: [3, 5], shape: [2]))), "directions")
        let tokens = Tensor(ints: [1, 7, 9, 11, 2, 4], shape: [1, 6])
        let (_, storedCache) = try stored.runWithCache(tokens)
        let (_, wideCache) = try wide.runWithCache(tokens)
        let attribution = { (cache: ActivationCache) in
            try cache.logitAttrs(try cache.decomposeResid(applyLn: true), tokens: .ids(Tensor(ints: [5], shape: [1])),
                                 posSlice: -1)
        }
        close(try attribution(storedCache), try attribution(wideCache), "logit attribution")
        let rebuilt = try HookedTransformer(config: stored.config, stateDict: stored.transformer.stateDict)
        close(try rebuilt.forward(tokens: tokens), try wide.transformer.forward(tokens: tokens), "state dict")
    }
}
