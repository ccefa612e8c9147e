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
    /// Loads a Hugging Face model folder (`config.json` and `model.safetensors` or a sharded
    /// `model.safetensors.index.json`; F32, F16 or BF16), converts its weights to TransformerLens names and
    /// shapes, and processes them like TransformerLens's `from_pretrained` (`.default`) or
    /// `from_pretrained_no_processing` (`.none`).
    /// A TransformerLens-format folder (see `init(transformerLens:processing:)`) loads too. `modelName` is the
    /// config's `_name_or_path` or else the folder's name.
    /// Throws `CheckpointError.noFolder` for a folder that does not exist, `ModelConfigError` for the config
    /// and `CheckpointError` naming a missing or mis-shaped tensor.
    public init(pretrained folder: URL, processing: WeightProcessing = .default) throws {
        try Self.requireFolder(folder)
        if Self.isTransformerLensFolder(folder) {
            try self.init(transformerLens: folder, processing: processing)
            return
        }
        let description = try HuggingFaceDescription(contentsOf: folder)
        let reader = try CheckpointReader(folder: folder)
        let raw = try description.stateDict(reader)
        var (config, stateDict) = try processing.apply(to: raw, config: description.config)
        if config.modelName == nil { config.modelName = folder.standardizedFileURL.lastPathComponent }
        try self.init(config: config, stateDict: stateDict)
    }
}
