/// The activations of one forward pass, keyed by hook name in the order the pass reached them, with the
/// model they came from (TransformerLens's `ActivationCache`).
///
/// Read with a full name or a `getActName` shorthand: `cache["blocks.0.attn.hook_pattern"]`,
/// `cache["pattern", 0]`, `cache["resid_post", -1]`, `cache["k6"]`, `cache["scale4ln1"]`, `cache["scale"]`.
/// Shapes are TransformerLens's, batch first unless the batch axis was removed.
public struct ActivationCache: Sendable, Sequence, CustomStringConvertible {
    /// Hook names in the order the forward pass reached them.
    public private(set) var keys: [String]
    private var storage: [String: Tensor]
    /// The model the activations came from (weights for head and neuron results, final norm, unembedding).
    public let model: HookedTransformer
    /// The tokenizer, when known, for string tokens in `logitAttrs`.
    public let tokenizer: Tokenizer?
    /// Whether activations still have their leading batch axis.
    public private(set) var hasBatchDim: Bool

    /// A cache from activations listed in order.
    public init(_ activations: [(String, Tensor)], model: HookedTransformer, tokenizer: Tokenizer? = nil,
                hasBatchDim: Bool = true) {
        keys = []
        storage = [:]
        for (name, value) in activations where storage.updateValue(value, forKey: name) == nil { keys.append(name) }
        self.model = model
        self.tokenizer = tokenizer
        self.hasBatchDim = hasBatchDim
    }

    /// Number of cached activations.
    public var count: Int { keys.count }
    /// Whether `hook_embed` was cached.
    public var hasEmbed: Bool { storage["hook_embed"] != nil }
    /// Whether `hook_pos_embed` was cached.
    public var hasPosEmbed: Bool { storage["hook_pos_embed"] != nil }

    /// Whether `key` (a full name, or a shorthand after `getActName`) is cached.
    public func contains(_ key: String) -> Bool { storage[key] != nil || storage[getActName(key)] != nil }

    /// The activation at `key`: an exact hook name, else its `getActName` expansion. Throws
    /// `LensError.missingActivation` naming the closest cached keys.
    public subscript(_ key: String) -> Tensor {
        get throws {
            if let value = storage[key] { return value }
            return try lookup(getActName(key))
        }
    }

    /// The activation `getActName(name, layer:, layerType:)`; a negative layer counts from the end
    /// (`cache["resid_post", -1]` is the last block's output).
    public subscript(_ name: String, _ layer: Int, _ layerType: String? = nil) -> Tensor {
        get throws {
            let layers = model.config.nLayers
            let l = layer < 0 ? layer + layers : layer
            guard (0..<layers).contains(l) else {
                throw LensError.layerOutOfRange(layer, layers: layers, context: "cache[\"\(name)\", \(layer)]")
            }
            return try lookup(getActName(name, layer: l, layerType: layerType))
        }
    }

    private func lookup(_ key: String) throws -> Tensor {
        guard let value = storage[key] else {
            if let layer = HookRegistry.layer(of: key), layer >= model.config.nLayers {
                throw LensError.layerOutOfRange(layer, layers: model.config.nLayers, context: "cache key \"\(key)\"")
            }
            throw LensError.missingActivation(key, suggestions: closestNames(to: key, in: keys))
        }
        return value
    }

    /// The activation stored under exactly `key`, or nil.
    public func value(forKey key: String) -> Tensor? { storage[key] }

    /// `(name, activation)` pairs in key order.
    public func makeIterator() -> AnyIterator<(name: String, activation: Tensor)> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            return (keys[index], storage[keys[index]]!)
        }
    }

    /// Stores `value` under `key` (appended to the key order when new).
    public mutating func set(_ value: Tensor, forKey key: String) {
        if storage.updateValue(value, forKey: key) == nil { keys.append(key) }
    }

    /// The batch size: the most common leading extent among the activations (the first seen on a tie).
    public var batchSize: Int {
        var counts: [Int: Int] = [:], order: [Int] = []
        for key in keys {
            guard let first = storage[key]!.shape.first else { continue }
            if counts[first] == nil { order.append(first) }
            counts[first, default: 0] += 1
        }
        var best: Int?
        for extent in order where best == nil || counts[extent]! > counts[best!]! { best = extent }
        return best ?? 1
    }

    /// Drops the batch axis of a batch-of-one cache (activations whose leading extent is 1 lose it).
    /// Throws when the batch is larger or the axis is already gone.
    public mutating func removeBatchDim() throws {
        guard hasBatchDim else { throw LensError.invalidArgument("the cache has no batch axis to remove") }
        let size = batchSize
        guard size == 1 else { throw LensError.invalidArgument("cannot remove a batch axis of size \(size)") }
        for key in keys where storage[key]!.shape.first == 1 { storage[key] = storage[key]![0] }
        hasBatchDim = false
    }

    /// A cache with `slice` applied to the batch axis of every batched activation (`apply_slice_to_batch_dim`);
    /// an `.index` slice removes the axis.
    public func applySliceToBatchDim(_ slice: AxisSlice) throws -> ActivationCache {
        guard hasBatchDim || slice == .all else { throw LensError.invalidArgument("the cache has no batch axis") }
        let size = batchSize
        var sliced: [(String, Tensor)] = []
        for key in keys {
            let value = storage[key]!
            sliced.append((key, value.shape.first == size ? try slice.apply(value, axis: 0) : value))
        }
        return ActivationCache(sliced, model: model, tokenizer: tokenizer, hasBatchDim: hasBatchDim && !slice.dropsAxis)
    }

    /// `ActivationCache with keys [...]`, as TransformerLens prints it.
    public var description: String {
        "ActivationCache with keys [" + keys.map { "'\($0)'" }.joined(separator: ", ") + "]"
    }
}
