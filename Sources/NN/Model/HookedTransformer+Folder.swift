import Foundation

extension HookedTransformer {
    /// Loads a TransformerLens-format folder: `config.json` holding `HookedTransformerConfig` fields (as
    /// `cfg.to_dict()` writes them, no `model_type`) and `model.safetensors` holding the state dict under
    /// TransformerLens names (the real Othello-GPT's format). Buffers such as `blocks.L.attn.mask` are
    /// ignored. The weights are used as saved (TransformerLens's `load_state_dict`) unless `processing` asks
    /// for more. `modelName` defaults to the folder's name.
    public init(transformerLens folder: URL, processing: WeightProcessing = .none) throws {
        try Self.requireFolder(folder)
        var config = try ModelConfig(transformerLens: folder.appendingPathComponent("config.json"))
        if config.modelName == nil { config.modelName = folder.standardizedFileURL.lastPathComponent }
        let weights = folder.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw CheckpointError.noWeights(folder: folder.path)
        }
        let (processed, stateDict) = try processing.apply(to: StateDict(safetensors: weights), config: config)
        try self.init(config: processed, stateDict: stateDict)
    }

    /// Whether `folder/config.json` is a TransformerLens config (no `model_type`, but `n_layers` and `d_model`).
    public static func isTransformerLensFolder(_ folder: URL) -> Bool {
        guard let json = try? JSONValue.read(folder.appendingPathComponent("config.json")),
              case let .object(members) = json else { return false }
        let keys = Set(members.map(\.0))
        return !keys.contains("model_type") && keys.contains("n_layers") && keys.contains("d_model")
    }

    /// Throws `CheckpointError.noFolder` when `folder` does not exist or is not a folder.
    static func requireFolder(_ folder: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw CheckpointError.noFolder(folder.path, reason: "does not exist")
        }
        guard isDirectory.boolValue else { throw CheckpointError.noFolder(folder.path, reason: "is a file, not a model folder") }
    }
}
