import Foundation
import NN
import Testing

/// `HookedTransformer(config:)` (TransformerLens's random initialisation), TransformerLens-format folders, the
/// model's name, `unembed(x)` and a missing model folder.
@Suite struct InitAndFolderTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let othello = repository.appendingPathComponent("Models/othello")

    /// The standard deviation of a tensor's elements.
    func std(_ t: Tensor) -> Float { t.std().item() }

    /// The config of the shipped Othello-GPT builds a model with TransformerLens's weight names and shapes, drawn
    /// as `init_mode` "gpt2" says: N(0, initializer_range²), biases 0; the same seed gives the same weights.
    @Test func randomInitialisationFollowsTransformerLens() throws {
        let config = try ModelConfig(transformerLens: Self.othello.appendingPathComponent("config.json"))
        let model = try HookedTransformer(config: config, seed: 3)
        let shipped = try HookedTransformer(pretrained: Self.othello, processing: .none).stateDict
        #expect(model.stateDict.names == shipped.names)
        for name in model.stateDict.names {
            #expect(model.stateDict[name]?.shape == shipped[name]?.shape, "\(name)")
        }
        let range = Float(config.initializerRange ?? 0)
        #expect(abs(range - 0.8 / Float(config.dModel).squareRoot()) < 1e-6)
        let W_in = model.blocks[0].mlp!.W_in, W_E = model.embed.W_E
        #expect(abs(std(W_in) / range - 1) < 0.02 && abs(W_in.mean().item()) < 0.002)
        #expect(abs(std(W_E) / range - 1) < 0.05)
        #expect(model.blocks[1].attn.b_Q.abs().max().item() == 0 && model.unembed.b_U.abs().max().item() == 0)
        let again = try HookedTransformer(config: config, seed: 3), other = try HookedTransformer(config: config, seed: 4)
        #expect(again.blocks[2].attn.W_Q.scalars == model.blocks[2].attn.W_Q.scalars)
        #expect(other.blocks[2].attn.W_Q.scalars != model.blocks[2].attn.W_Q.scalars)
        let logits = try model.forward(tokens: [[1, 2, 3, 60]])
        #expect(logits.shape == [1, 4, 61] && logits.scalars.allSatisfy(\.isFinite))
    }

    /// The other init modes use TransformerLens's fans (`[d_in, d_out]`; heads `[n, a, b]`: fan-in a, fan-out n·b)
    /// and gain `initializer_range` (default 1).
    @Test func otherInitModes() throws {
        var config = ModelConfig(dModel: 64, dHead: 16, nHeads: 4, nLayers: 1, nCtx: 16, dVocab: 50, dMLP: 256)
        func weights(_ mode: InitMode, gain: Double? = nil) throws -> HookedTransformer {
            config.initMode = mode
            config.initializerRange = gain
            return try HookedTransformer(config: config)
        }
        let xavier = try weights(.xavierUniform)
        let bound = (6.0 / Double(64 + 256)).squareRoot()
        #expect(abs(Double(xavier.blocks[0].mlp!.W_in.abs().max().item()) / bound - 1) < 0.01)
        let kaiming = try weights(.kaimingNormal, gain: 0.5)
        #expect(abs(std(kaiming.blocks[0].mlp!.W_out) / Float(0.5 * 2.0.squareRoot() / 16) - 1) < 0.03)
        let heads = try weights(.xavierNormal)
        #expect(abs(std(heads.blocks[0].attn.W_Q) / Float((2.0 / Double(64 + 64)).squareRoot()) - 1) < 0.03)
        let muP = try weights(.muP)
        #expect(abs(std(muP.embed.W_E) - 1) < 0.05 && abs(std(muP.unembed.W_U) - 1) < 0.05)
        #expect(abs(std(muP.blocks[0].mlp!.W_in) * 8 - 1) < 0.03)
    }

    /// A TransformerLens-format folder loads through `init(pretrained:)` with its `model_name`; a Hugging Face
    /// folder is named after itself; `unembed(x)` gives the logits of any residual vectors.
    @Test func folderNameAndUnembed() throws {
        let othello = try HookedTransformer(pretrained: Self.othello, processing: .none)
        #expect(othello.config.modelName?.hasPrefix("othello-gpt") == true)
        #expect(othello.config.normalizationType == .layerNormPre && othello.config.dVocab == 61)
        let demo = try HookedTransformer(pretrained: Self.repository.appendingPathComponent("Models/demo"))
        #expect(demo.config.modelName == "demo")
        let tokens = [[0, 5, 9, 31]]
        let final = try demo.forward(tokens: tokens, stopAtLayer: nil)
        var residual = try demo.forward(tokens: Tensor(ints: tokens[0], shape: [1, 4]), stopAtLayer: demo.config.nLayers)
        residual = try demo.lnFinal!.forward(residual, hooks: nil)
        #expect(maxAbsDifference(try demo.unembed(residual), final) < 1e-5)
        #expect(try demo.unembed(residual[0, 2]).shape == [demo.config.dVocabOut])
        #expect(throws: ForwardError.self) { try demo.unembed(Tensor(zeros: [3, 7])) }
    }

    @Test func missingFolderSaysSo() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/model-folder")
        #expect(throws: CheckpointError.noFolder("/nonexistent/model-folder", reason: "does not exist")) {
            try HookedTransformer(pretrained: missing)
        }
        #expect(CheckpointError.noFolder("/x", reason: "does not exist").description == "model folder /x does not exist")
    }
}
