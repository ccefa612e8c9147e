#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint split over several safetensors files, described by an index such as
/// `model.safetensors.index.json`: `{"metadata": {...}, "weight_map": {TENSOR: SHARD_FILE, ...}}`,
/// shard files relative to the index's directory. Each shard is opened (memory-mapped) once.
public final class ShardedSafetensors: TensorFileReading {
    /// The index file's path.
    public let indexPath: String
    /// Tensor names in `weight_map` order.
    public let names: [String]
    /// The index's `metadata` (string values as is, other values as compact JSON text).
    public let metadata: [String: String]
    private let location: [String: SafetensorsFile]

    /// Reads the index at `indexPath`, opens every shard it names and checks that each listed
    /// tensor is in its shard. Errors name the index file, the shard and the tensor.
    public init(indexPath: String) throws {
        self.indexPath = indexPath
        let index = try MappedFile(path: indexPath)
        let fail = { (reason: String) in TensorError.invalidFile(path: indexPath, reason: reason) }
        guard index.size <= SafetensorsHeader.maxHeaderLength else {
            throw fail("index is \(index.size) bytes, over the \(SafetensorsHeader.maxHeaderLength)-byte limit")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(index.bytes, rejectingDuplicateKeys: true)
        } catch {
            throw fail("index is not valid JSON: \(error.reason) at byte \(error.offset)")
        }
        guard case .object(let top) = json,
              case .object(let weightMap)? = top.first(where: { $0.key == "weight_map" })?.value else {
            throw fail("index has no 'weight_map' object")
        }
        var metadata: [String: String] = [:]
        if case .object(let pairs)? = top.first(where: { $0.key == "metadata" })?.value {
            for (k, v) in pairs {
                if case .string(let s) = v { metadata[k] = s } else { metadata[k] = v.serialized }
            }
        }
        let folder = try FolderContainment(folder: ShardedSafetensors.directory(of: indexPath))
        var shards: [String: SafetensorsFile] = [:]
        var location: [String: SafetensorsFile] = [:]
        for (tensor, value) in weightMap {
            guard case .string(let shard) = value else {
                throw fail("weight_map entry '\(tensor)' names \(value.serialized), not a shard file inside the index's folder")
            }
            if shards[shard] == nil {
                let shardPath = try folder.path(of: shard, what: "weight_map entry '\(tensor)'")
                do {
                    shards[shard] = try SafetensorsFile(path: shardPath)
                } catch let error as TensorError {
                    throw fail("shard '\(shard)' (holding tensor '\(tensor)'): \(error)")
                }
            }
            let file = shards[shard]!
            guard (try? file.shape(of: tensor)) != nil else {
                throw fail("weight_map puts tensor '\(tensor)' in shard '\(shard)', which does not hold it")
            }
            location[tensor] = file
        }
        names = weightMap.map(\.key)
        self.metadata = metadata
        self.location = location
    }

    /// `path` up to and including its last `/` (`./` for a bare file name).
    private static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "./" }
        return String(path[...slash])
    }

    private func file(_ name: String) throws -> SafetensorsFile {
        guard let f = location[name] else {
            throw TensorError.invalidFile(path: indexPath, reason: "no tensor named '\(name)' in the weight_map")
        }
        return f
    }

    /// The shape of tensor `name`.
    public func shape(of name: String) throws -> [Int] { try file(name).shape(of: name) }
    /// The dtype `tensor(name)` returns.
    public func dtype(of name: String) throws -> DType { try file(name).dtype(of: name) }
    /// Tensor `name`, read from its shard.
    public func tensor(_ name: String) throws -> Tensor { try file(name).tensor(name) }
}

/// Opening a Hugging Face style checkpoint in any of its layouts.
public enum SafetensorsCheckpoint {
    /// Opens `path`: a `.json` index (sharded), a single `.safetensors` file, or a folder holding
    /// `model.safetensors` or `model.safetensors.index.json`.
    public static func open(_ path: String) throws -> any TensorFileReading {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw TensorError.invalidFile(path: path, reason: "cannot open: \(systemError())")
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            let folder = path.hasSuffix("/") ? path : path + "/"
            if access(folder + "model.safetensors", F_OK) == 0 { return try SafetensorsFile(path: folder + "model.safetensors") }
            if access(folder + "model.safetensors.index.json", F_OK) == 0 {
                return try ShardedSafetensors(indexPath: folder + "model.safetensors.index.json")
            }
            throw TensorError.invalidFile(path: path, reason: "folder holds neither model.safetensors " +
                                          "nor model.safetensors.index.json")
        }
        return path.hasSuffix(".json") ? try ShardedSafetensors(indexPath: path) : try SafetensorsFile(path: path)
    }
}
