import Foundation
import Testing
@testable import NN

/// The safe `.pth` reader against files written by `torch.save` (`Scripts/fixtures/pth.py`): the same tensors as
/// PyTorch holds, and TransformerLens-format folders (`config.json` from `cfg.to_dict()`, `model.pth`) that give
/// TransformerLens's logits.
@Suite struct PyTorchCheckpointTests {
    static let folder = ModelFixture.root.appendingPathComponent("pth")

    @Test("every dtype, a transposed view, storage offsets and shared storages load as PyTorch holds them")
    func zooMatchesSafetensors() throws {
        let pth = try PyTorchCheckpoint(path: Self.folder.appendingPathComponent("zoo.pth").path)
        let expected = try SafetensorsFile(path: Self.folder.appendingPathComponent("zoo.safetensors").path)
        #expect(Set(pth.names) == Set(expected.names))
        for name in expected.names {
            let a = try pth.tensor(name), b = try expected.tensor(name)
            #expect(a.shape == b.shape, "\(name)")
            #expect(a.dtype == b.dtype, "\(name)")
            if a.dtype.isInteger {
                #expect(a.intScalars == b.intScalars, "\(name)")
            } else {
                #expect(a.scalars == b.scalars, "\(name)")  // bit-exact: the bytes are the same
            }
        }
        #expect(try pth.tensor("transposed").strides == [1, 5])
        #expect(try pth.tensor("offset_slice").offset == 3)
    }

    /// `max |a - b| / max(1, max |b|)` below 1e-4, the fp32 logit tolerance.
    @Test("TransformerLens folders (LNPre Othello-shaped, attention-only) give TransformerLens's logits",
          arguments: ["othello_lnpre", "attn_only"])
    func transformerLensFolderLogits(name: String) throws {
        let dir = Self.folder.appendingPathComponent(name)
        let tokens = try Tensor(npyContentsOf: dir.appendingPathComponent("tokens.npy").path)
        let expected = try Tensor(npyContentsOf: dir.appendingPathComponent("logits.npy").path)
        let raw = try HookedTransformer(pretrained: dir, processing: .none)
        #expect(scaledError(try raw.forward(tokens: tokens), expected) < 1e-4)
        // Processing changes logits by a constant per position (centred unembedding): compare log-probabilities.
        let processed = try HookedTransformer(pretrained: dir)
        let logProbs = try processed.forward(tokens: tokens).logSoftmax(axis: -1)
        #expect(scaledError(logProbs, expected.logSoftmax(axis: -1)) < 1e-4)
        #expect(raw.config.normalizationType == (name == "othello_lnpre" ? .layerNormPre : .layerNorm))
        #expect(raw.config.attnOnly == (name == "attn_only"))
    }

    @Test("a TransformerLens folder without weights names the files it looked for")
    func missingWeights() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlens-pth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(at: Self.folder.appendingPathComponent("attn_only/config.json"),
                                         to: scratch.appendingPathComponent("config.json"))
        #expect(throws: CheckpointError.noWeights(folder: scratch.path)) { try HookedTransformer(pretrained: scratch) }
    }
}
