import Foundation

/// Weights keyed by TransformerLens names (`embed.W_E`, `blocks.0.attn.W_Q`, `blocks.0.attn._W_K`,
/// `blocks.0.mlp.W_in`, `ln_final.w`, `unembed.W_U`, ...), in TransformerLens shapes, kept in insertion order.
public struct StateDict: Sendable {
    /// Where the weights came from, used in error messages.
    public let source: String
    /// Names in insertion order.
    public private(set) var names: [String] = []
    private var tensors: [String: Tensor] = [:]

    /// An empty state dict; `source` names it in errors.
    public init(source: String = "state dict") {
        self.source = source
    }

    /// Reads every tensor of a safetensors file whose names are TransformerLens names.
    public init(safetensors url: URL) throws {
        self.init(source: url.path)
        let file = try SafetensorsFile(path: url.path)
        for name in file.names { self[name] = try file.tensor(name) }
    }

    /// The tensor called `name`; setting nil removes it.
    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set {
            if tensors[name] == nil, newValue != nil { names.append(name) }
            if newValue == nil { names.removeAll { $0 == name } }
            tensors[name] = newValue
        }
    }

    /// Runs `body` on the tensor `name`, when present, while the state dict does not hold it: a tensor nothing
    /// else holds is then uniquely owned, so in-place arithmetic in `body` (`*=`, `-=`) reuses its buffer.
    mutating func update(_ name: String, _ body: (inout Tensor) -> Void) {
        guard var tensor = tensors.removeValue(forKey: name) else { return }
        body(&tensor)
        tensors[name] = tensor
    }

    /// The tensor `name` (or, failing that, the first of `alternatives` present), checked against `shape`;
    /// throws `CheckpointError` naming the tensor, the expected and the found shape.
    public func require(_ name: String, shape: [Int], alternatives: [String] = []) throws -> Tensor {
        guard let found = ([name] + alternatives).lazy.compactMap({ tensors[$0] }).first else {
            throw CheckpointError.missingTensor(name, file: source)
        }
        guard found.shape == shape else {
            throw CheckpointError.shapeMismatch(name, expected: shape, found: found.shape, file: source)
        }
        guard !found.dtype.isInteger else {
            throw CheckpointError.unsupportedDType(name, dtype: found.dtype.rawValue, file: source)
        }
        return found
    }

    /// Like `require`, but an absent tensor gives `fill` broadcast to `shape` (TransformerLens fills missing
    /// biases with zeros and missing norm gains with ones).
    public func optional(_ name: String, shape: [Int], fill: Float, alternatives: [String] = []) throws -> Tensor {
        if ([name] + alternatives).allSatisfy({ tensors[$0] == nil }) { return Tensor.full(shape, fill) }
        return try require(name, shape: shape, alternatives: alternatives)
    }
}
