import Foundation

/// The tensors of a Hugging Face checkpoint folder: `model.safetensors`, or the shards named by the
/// `weight_map` of `model.safetensors.index.json`. F32, F16 and BF16 tensors are returned as stored
/// (memory-mapped); errors name the tensor, the expected and the found shape.
struct CheckpointReader {
    /// The folder read.
    let folder: URL
    private let shards: [String: SafetensorsFile]
    private let location: [String: String]

    /// Opens the weights in `folder`; throws `CheckpointError.noWeights` when there are none.
    init(folder: URL) throws {
        self.folder = folder
        let single = folder.appendingPathComponent("model.safetensors")
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        let manager = FileManager.default
        if manager.fileExists(atPath: single.path) {
            let file = try SafetensorsFile(path: single.path)
            shards = ["model.safetensors": file]
            location = Dictionary(uniqueKeysWithValues: file.names.map { ($0, "model.safetensors") })
        } else if manager.fileExists(atPath: index.path) {
            let map = try Self.weightMap(index)
            var files: [String: SafetensorsFile] = [:]
            for shard in Set(map.values).sorted() {
                let url = folder.appendingPathComponent(shard)
                guard manager.fileExists(atPath: url.path) else {
                    throw CheckpointError.unreadable(file: index.path, reason: "names missing shard \(shard)")
                }
                files[shard] = try SafetensorsFile(path: url.path)
            }
            shards = files
            location = map
        } else {
            throw CheckpointError.noWeights(folder: folder.path)
        }
    }

    /// `weight_map` of a sharded index: tensor name to shard file name.
    private static func weightMap(_ index: URL) throws -> [String: String] {
        let json: JSONFields
        do { json = try JSONFields(JSONValue.read(index), file: index.path) } catch {
            throw CheckpointError.unreadable(file: index.path, reason: "\(error)")
        }
        guard case .object(let map)? = json.members["weight_map"] else {
            throw CheckpointError.unreadable(file: index.path, reason: "has no weight_map object")
        }
        return try Dictionary(map, uniquingKeysWith: { _, last in last }).mapValues {
            guard case .string(let shard) = $0, !shard.contains("/"), !shard.contains("\\") else {
                throw CheckpointError.unreadable(file: index.path, reason: "weight_map values must be shard file names")
            }
            return shard
        }
    }

    /// Whether the checkpoint holds `name`.
    func has(_ name: String) -> Bool { location[name] != nil }

    /// The file holding `name`, for error messages.
    private func path(of name: String) -> String {
        folder.appendingPathComponent(location[name] ?? "model.safetensors").path
    }

    /// The tensor `name`, which must have `shape` and a floating-point dtype.
    func tensor(_ name: String, shape: [Int]) throws -> Tensor {
        guard let shard = location[name], let file = shards[shard] else {
            throw CheckpointError.missingTensor(name, file: path(of: name))
        }
        let t = try file.tensor(name)
        guard t.shape == shape else {
            throw CheckpointError.shapeMismatch(name, expected: shape, found: t.shape, file: path(of: name))
        }
        guard !t.dtype.isInteger else {
            throw CheckpointError.unsupportedDType(name, dtype: t.dtype.rawValue, file: path(of: name))
        }
        return t
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
