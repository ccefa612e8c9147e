import Foundation

/// The tensors of a Hugging Face checkpoint folder: `model.safetensors`, or the shards named by the
/// `weight_map` of `model.safetensors.index.json`. F32, F16 and BF16 tensors are returned as stored
/// (memory-mapped); errors name the tensor, the expected and the found shape.
struct CheckpointReader {
    /// The folder read.
    let folder: URL
    private let checkpoint: any TensorFileReading
    private let present: Set<String>

    /// Opens the weights in `folder`; throws `CheckpointError.noWeights` when there are none.
    init(folder: URL) throws {
        self.folder = folder
        let manager = FileManager.default
        guard ["model.safetensors", "model.safetensors.index.json"].contains(where: {
            manager.fileExists(atPath: folder.appendingPathComponent($0).path)
        }) else { throw CheckpointError.noWeights(folder: folder.path) }
        let files = try FolderContainment(folder: folder.path)
        let single = try files.path(of: "model.safetensors", what: "the model folder")
        checkpoint = manager.fileExists(atPath: single) ? try SafetensorsFile(path: single)
            : try ShardedSafetensors(indexPath: try files.path(of: "model.safetensors.index.json", what: "the model folder"))
        present = Set(checkpoint.names)
    }

    /// Whether the checkpoint holds `name`.
    func has(_ name: String) -> Bool { present.contains(name) }

    /// The tensor `name`, which must have `shape` and a floating-point dtype.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard has(name) else { throw CheckpointError.missingTensor(name, file: folder.path) }
        let found = try checkpoint.shape(of: name)
        guard found == shape else {
            throw CheckpointError.shapeMismatch(name, expected: shape, found: found, file: folder.path)
        }
        let dtype = try checkpoint.dtype(of: name)
        guard !dtype.isInteger else {
            throw CheckpointError.unsupportedDType(name, dtype: dtype.rawValue, file: folder.path)
        }
        return try checkpoint.tensor(name)
    }

    /// The tensor `name` when present (checked as `tensor`), else nil.
    func optionalTensor(_ name: String, shape: [Int]) throws -> Tensor? {
        has(name) ? try tensor(name, shape: shape) : nil
    }

    /// The first of `prefixes` under which `probe` exists (checkpoints saved with or without a wrapper prefix),
    /// or the first prefix when none does (so the missing tensor is reported under the usual name).
    func prefix(_ prefixes: [String], probe: String) -> String {
        prefixes.first { has($0 + probe) } ?? prefixes[0]
    }
}
