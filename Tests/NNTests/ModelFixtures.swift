import Foundation
import NN

/// The tiny checkpoints and reference outputs made by `Scripts/fixtures/models.py` (see
/// `Scripts/fixtures/MODELS.md`): Hugging Face folders with transformers and TransformerLens outputs.
enum ModelFixture {
    /// `Tests/Fixtures/models`.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/models")

    /// Every Hugging Face checkpoint fixture (one or more per supported architecture).
    static let checkpoints = ["gpt2", "gpt_neox", "gpt_neox_theta", "llama", "llama3", "mistral", "qwen2", "qwen3",
                              "gemma", "gemma2", "phi", "gptj", "opt"]

    /// The fixture folder `name`.
    static func folder(_ name: String) -> URL { root.appendingPathComponent(name) }

    /// The `.npy` array `file` of fixture `name`.
    static func array(_ name: String, _ file: String) throws -> Tensor {
        try Tensor(npyContentsOf: folder(name).appendingPathComponent(file + ".npy").path)
    }

    /// The fixture's `[2, 7]` tokens as rows.
    static func tokens(_ name: String) throws -> [[Int]] {
        try rows(array(name, "tokens"))
    }

    /// The rows of a 2-d integer array.
    static func rows(_ t: Tensor) -> [[Int]] {
        let values = t.intScalars, width = t.shape[1]
        return (0..<t.shape[0]).map { Array(values[($0 * width)..<(($0 + 1) * width)]) }
    }

    /// The checkpoint `name`, processed like `from_pretrained` or not at all.
    static func model(_ name: String, processed: Bool) throws -> HookedTransformer {
        try HookedTransformer(pretrained: folder(name), processing: processed ? .default : .none)
    }
}

/// `max |a - b| / max(1, max |b|)`: absolute error, relative to the reference's largest magnitude above 1.
func scaledError(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "scaledError: shapes \(a.shape) and \(b.shape)")
    let x = a.scalars, y = b.scalars
    let diff = zip(x, y).map { Swift.abs($0 - $1) }.max() ?? 0
    return diff / max(1, y.map(Swift.abs).max() ?? 0)
}

/// `max |a - b|`.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "maxAbsDifference: shapes \(a.shape) and \(b.shape)")
    return zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}
