import Foundation

extension HuggingFaceDescription {
    /// The TransformerLens state dict of the checkpoint in `reader`, converted by the architecture's converter.
    func stateDict(_ reader: CheckpointReader) throws -> StateDict {
        switch architecture {
        case .gpt2: return try GPT2Weights.convert(reader, self)
        case .gptNeoX: return try NeoXWeights.convert(reader, self)
        case .llama, .mistral, .qwen2, .qwen3: return try LlamaWeights.convert(reader, self)
        case .gemma, .gemma2: return try GemmaWeights.convert(reader, self)
        case .phi: return try ParallelBlockWeights.phi(reader, self)
        case .gptj: return try ParallelBlockWeights.gptj(reader, self)
        case .opt: return try OPTWeights.convert(reader, self)
        }
    }
}

extension HookedTransformer {
    /// Loads a model folder in either layout and processes its weights like TransformerLens's `from_pretrained`
    /// (`.default`) or `from_pretrained_no_processing` (`.none`):
    /// - Hugging Face: `config.json` with a `model_type`, and `model.safetensors` or a sharded
    ///   `model.safetensors.index.json` (F32, F16 or BF16), converted to TransformerLens names and shapes;
    /// - TransformerLens: `config.json` holding a `HookedTransformerConfig`'s fields (`cfg.to_dict()` as JSON, no
    ///   `model_type`) and a state dict in TransformerLens names, `model.pth` (`torch.save(model.state_dict())`,
    ///   read without running any pickled code) or `model.safetensors`.
    ///
    /// `precision` chooses the weights' element type (`WeightPrecision`): `.stored` keeps the checkpoint's dtype
    /// (unprocessed weights stay views of the memory-mapped file; processed ones are rounded back to it),
    /// `.float32` widens every weight at load and processes in Float32; `.automatic` is `.stored` without
    /// processing and `.float32` with it.
    ///
    /// Processing runs one layer at a time (`WeightProcessing`), rewriting widened weights in place; with `.stored`
    /// each layer is rounded back as soon as it is done, so at most one layer is held in Float32 beside the rest,
    /// and the mapped pages of the originals it replaced are released.
    ///
    /// The config is validated and the weights' size checked against `MemoryBudget.current` before any weight is
    /// read, and the loading peak of the `MemoryPlan` before any weight is widened or processed (throwing
    /// `MemoryPlanError` with what would fit); files are read only from inside the folder (`FolderContainment`).
    /// Throws `ModelConfigError` for the config, `CheckpointError` naming a missing or mis-shaped tensor,
    /// `TensorError` / `PickleError` for a malformed file, and `CheckpointError.noFolder` for a folder that does
    /// not exist. `modelName` is the config's (`model_name`, `_name_or_path`) or else the folder's name.
    public init(pretrained folder: URL, processing: WeightProcessing = .default,
                precision: WeightPrecision = .automatic) throws {
        let precision = precision.resolved(for: processing)
        var (rawConfig, raw) = try Self.unprocessedWeights(folder, bytesPerParameter: processing == .none ? 2 : 4)
        try MemoryPlan(folder: folder.path, config: rawConfig, weights: raw,
                       processing: processing, precision: precision, batch: 0, context: 0, cache: .none).checkLoading()
        if precision == .float32 { raw = raw.widenedToFloat32() }
        let originals = precision == .stored ? raw : StateDict(source: raw.source)
        var (config, processed) = try processing.apply(to: consume raw, config: rawConfig) { weights, names in
            weights.round(names, toTypesOf: originals)
        }
        if config.modelName == nil { config.modelName = folder.standardizedFileURL.lastPathComponent }
        try self.init(config: config, stateDict: processed)
    }

    /// The config and the TransformerLens-named weights of `folder` as stored (views of the memory-mapped
    /// checkpoint where the format allows), every tensor checked against the config. The config's parameter count
    /// at `bytesPerParameter` is checked against the memory budget before any file is read.
    static func unprocessedWeights(_ folder: URL, bytesPerParameter: Int = 2) throws -> (ModelConfig, StateDict) {
        try Self.requireFolder(folder)
        let files = try FolderContainment(folder: folder.path)
        let configURL = URL(fileURLWithPath: try files.path(of: "config.json", what: "the model folder"))
        if try Self.isTransformerLensConfig(configURL) {
            let config = try ModelConfig(transformerLens: configURL)
            try config.checkMemory(bytesPerParameter: bytesPerParameter)
            return (config, try StateDict(transformerLensFolder: folder, files: files))
        }
        let description = try HuggingFaceDescription(contentsOf: configURL)
        try description.config.checkMemory(bytesPerParameter: bytesPerParameter)
        return (description.config, try description.stateDict(try CheckpointReader(folder: folder)))
    }

    /// Throws `CheckpointError.noFolder` when `folder` does not exist or is not a folder.
    static func requireFolder(_ folder: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw CheckpointError.noFolder(folder.path, reason: "does not exist")
        }
        guard isDirectory.boolValue else { throw CheckpointError.noFolder(folder.path, reason: "is a file, not a model folder") }
    }

    /// Whether `config.json` is a TransformerLens config: no `model_type`, and `d_model` and `n_layers` present.
    static func isTransformerLensConfig(_ url: URL) throws -> Bool {
        guard case .object(let members) = try JSONValue.read(url) else { return false }
        let keys = Set(members.map(\.key))
        return !keys.contains("model_type") && keys.contains("d_model") && keys.contains("n_layers")
    }
}

extension StateDict {
    /// The TransformerLens-named state dict of a TransformerLens folder: `model.pth` (a `torch.save`d state dict)
    /// or `model.safetensors`. Entries that are not weights (`blocks.L.attn.mask`, `IGNORE`, rotary tables) are
    /// kept and ignored by the model.
    init(transformerLensFolder folder: URL, files: FolderContainment) throws {
        for name in ["model.pth", "model.safetensors"] {
            let path = try files.path(of: name, what: "the model folder")
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let file: any TensorFileReading = name == "model.pth" ? try PyTorchCheckpoint(path: path) : try SafetensorsFile(path: path)
            self.init(source: path)
            for tensorName in file.names { self[tensorName] = try file.tensor(tensorName) }
            return
        }
        throw CheckpointError.noWeights(folder: folder.path)
    }
}
