/// A configuration that cannot be read or does not describe a supported model.
public enum ModelConfigError: Error, Equatable, CustomStringConvertible {
    /// `model_type` is not one of the supported architectures.
    case unsupportedModelType(String, supported: [String], file: String)
    /// A required field is absent.
    case missingField(String, file: String)
    /// A field has the wrong JSON type or an impossible value.
    case invalidField(String, file: String, reason: String)
    /// A valid setting this library does not implement.
    case unsupportedSetting(String, file: String, reason: String)
    /// The file is not readable JSON.
    case unreadable(file: String, reason: String)

    /// The message, naming the file and the field.
    public var description: String {
        switch self {
        case let .unsupportedModelType(type, supported, file):
            return "\(file): unsupported model_type \"\(type)\"; supported: \(supported.joined(separator: ", "))"
        case let .missingField(field, file):
            return "\(file): missing field \"\(field)\""
        case let .invalidField(field, file, reason):
            return "\(file): field \"\(field)\" \(reason)"
        case let .unsupportedSetting(field, file, reason):
            return "\(file): unsupported setting \"\(field)\": \(reason)"
        case let .unreadable(file, reason):
            return "\(file): \(reason)"
        }
    }
}

/// A checkpoint whose tensors do not match the configuration.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    /// No weights file in the folder (`model.safetensors`, `model.safetensors.index.json`, `model.pth`).
    case noWeights(folder: String)
    /// The model folder does not exist (or is not a folder).
    case noFolder(String, reason: String)
    /// A tensor the architecture needs is absent.
    case missingTensor(String, file: String)
    /// A tensor has the wrong shape.
    case shapeMismatch(String, expected: [Int], found: [Int], file: String)
    /// A tensor has an element type that cannot hold weights.
    case unsupportedDType(String, dtype: String, file: String)
    /// The message, naming the file and the tensor.
    public var description: String {
        switch self {
        case let .noWeights(folder):
            return "\(folder): no weights (model.safetensors or model.safetensors.index.json beside a Hugging Face " +
                "config.json; model.pth or model.safetensors beside a TransformerLens config.json)"
        case let .noFolder(folder, reason):
            return "model folder \(folder) \(reason)"
        case let .missingTensor(name, file):
            return "\(file): missing tensor \"\(name)\""
        case let .shapeMismatch(name, expected, found, file):
            return "\(file): tensor \"\(name)\" has shape \(found), expected \(expected)"
        case let .unsupportedDType(name, dtype, file):
            return "\(file): tensor \"\(name)\" has dtype \(dtype), expected F32, F16 or BF16"
        }
    }
}

/// Inputs or hook results a forward pass cannot use.
public enum ForwardError: Error, Equatable, CustomStringConvertible {
    /// A token id outside `0..<dVocab`.
    case tokenOutOfRange(token: Int, vocabulary: Int)
    /// Tokens, mask or residual with an unusable shape.
    case invalidInput(String)
    /// More positions than the model's context allows.
    case contextTooLong(positions: Int, nCtx: Int)
    /// A hook returned a tensor of a different shape than it was given.
    case hookShapeMismatch(hook: String, expected: [Int], found: [Int])
    /// `startAtLayer` / `stopAtLayer` outside the model's blocks.
    case invalidLayerRange(start: Int?, stop: Int?, layers: Int)

    /// The message, naming the token, shape or hook.
    public var description: String {
        switch self {
        case let .tokenOutOfRange(token, vocabulary):
            return "token id \(token) is outside the vocabulary 0..<\(vocabulary)"
        case let .invalidInput(reason):
            return "invalid input: \(reason)"
        case let .contextTooLong(positions, nCtx):
            return "\(positions) positions exceed the context length n_ctx = \(nCtx)"
        case let .hookShapeMismatch(hook, expected, found):
            return "hook \(hook) returned shape \(found), expected \(expected)"
        case let .invalidLayerRange(start, stop, layers):
            let (from, to) = (start.map(String.init) ?? "nil", stop.map(String.init) ?? "nil")
            return "layer range start \(from) stop \(to) is invalid for \(layers) layers"
        }
    }
}
