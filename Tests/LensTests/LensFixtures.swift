import Foundation
import Lens

/// The TransformerLens reference fixtures of `Scripts/fixtures/lens_core.py` (formats in
/// `Scripts/fixtures/LENS.md`) and the tiny model checkpoints they were recorded on.
enum LensFixture {
    /// `Tests/Fixtures`.
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Architectures with lens fixtures.
    static let architectures = ["gpt2", "gpt_neox", "llama", "gemma2", "attn_only_2l"]

    /// The 2-layer attention-only hand-written TransformerLens config of `Tests/Fixtures/models/attn_only_2l`.
    static let attentionOnly = ModelConfig(dModel: 64, dHead: 16, nHeads: 4, nLayers: 2, nCtx: 32, dVocab: 97,
                                           attnOnly: true)

    /// The model fixture `name`, processed like `from_pretrained` or not at all.
    static func model(_ name: String, processed: Bool) throws -> HookedTransformer {
        let folder = fixtures.appendingPathComponent("models/\(name)")
        guard name == "attn_only_2l" else {
            return try HookedTransformer(pretrained: folder, processing: processed ? .default : .none)
        }
        let weights = try StateDict(safetensors: folder.appendingPathComponent("tl_state_dict.safetensors"))
        let (config, stateDict) = try (processed ? WeightProcessing.default : .none).apply(to: weights, config: attentionOnly)
        return try HookedTransformer(config: config, stateDict: stateDict)
    }

    /// The `[2, 7]` tokens of model fixture `name`.
    static func tokens(_ name: String) throws -> Tensor {
        try Tensor(npyContentsOf: fixtures.appendingPathComponent("models/\(name)/tokens.npy").path)
    }

    /// `Tests/Fixtures/lens/<name>/<file>.npz`.
    static func archive(_ name: String, _ file: String) throws -> NpzArchive {
        try NpzArchive(contentsOf: fixtures.appendingPathComponent("lens/\(name)/\(file).npz").path)
    }

    /// `Tests/Fixtures/lens/<path>.json` as a dictionary.
    static func json(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent("lens/\(path).json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    /// "processed" / "unprocessed".
    static func suffix(_ processed: Bool) -> String { processed ? "processed" : "unprocessed" }
}

/// `max |a - b| / max(1, max finite |b|)`; infinite when the shapes differ or only one side is NaN.
/// Equal infinities (masked attention scores) and NaNs in the same place count as equal.
func scaledError(_ a: Tensor, _ b: Tensor) -> Float {
    guard a.shape == b.shape else { return .infinity }
    let x = a.scalars, y = b.scalars
    var worst: Float = 0, scale: Float = 1
    for (u, v) in zip(x, y) {
        if v.isFinite { scale = max(scale, abs(v)) }
        if u == v || (u.isNaN && v.isNaN) { continue }
        if u.isNaN || v.isNaN { return .infinity }
        worst = max(worst, abs(u - v))
    }
    return worst / scale
}

/// A tensor of int ids from a JSON array of numbers.
func idTensor(_ value: Any?) -> Tensor {
    let ids = (value as! [Any]).map { ($0 as! NSNumber).intValue }
    return Tensor(ints: ids, shape: [ids.count])
}
