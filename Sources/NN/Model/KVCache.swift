/// Keys (after rotation) and values of every earlier position, per layer, plus their attention mask,
/// so generation feeds only the new token through the model.
///
/// Buffers are `[batch, capacity, n_kv, d_head]` and double when full; `length` positions are valid.
/// A forward pass appends to every layer, then `commit` makes the new positions part of the cache.
public final class KVCache {
    /// Sequences in the batch.
    public let batch: Int
    /// Layers cached.
    public var layers: Int { keys.count }
    /// Positions stored.
    public private(set) var length = 0
    /// `[batch, length]` mask of the stored positions (1 = real token), or nil when nothing was padded.
    public private(set) var mask: [UInt8]?
    private var keys: [Tensor?]
    private var values: [Tensor?]

    /// An empty cache for `layers` layers and `batch` sequences.
    public init(layers: Int, batch: Int) {
        self.batch = batch
        keys = Array(repeating: nil, count: layers)
        values = Array(repeating: nil, count: layers)
    }

    /// A cache already holding the given positions: per layer, keys (as attention uses them, after QK norm and
    /// rotation) and values `[batch, length, n_kv, d_head]`, or nil for a layer no later pass runs (a pass that
    /// starts at a later block with `forward(residual:startAtLayer:cache:)`). Throws for mismatched shapes.
    public init(keys: [Tensor?], values: [Tensor?]) throws {
        guard keys.count == values.count, let first = keys.compactMap({ $0 }).first, first.rank == 4 else {
            throw ForwardError.invalidInput("a key/value cache needs matching key and value lists with at least one [batch, length, heads, d_head] layer")
        }
        for (layer, (k, v)) in zip(keys, values).enumerated() {
            guard let k else {
                guard v == nil else { throw ForwardError.invalidInput("layer \(layer) has values but no keys") }
                continue
            }
            guard let v, k.rank == 4, k.shape == v.shape, Array(k.shape[0...1]) == Array(first.shape[0...1]) else {
                throw ForwardError.invalidInput("layer \(layer) keys \(k.shape) and values \(v?.shape ?? []) do not match \(first.shape)")
            }
        }
        batch = first.shape[0]
        length = first.shape[1]
        self.keys = keys.map { $0?.converted(to: .float32).contiguous() }
        self.values = values.map { $0?.converted(to: .float32).contiguous() }
    }

    /// The stored keys of `layer`, `[batch, length, n_kv, d_head]`, nil if the layer holds none.
    public func keys(layer: Int) -> Tensor? { keys[layer].map { $0[.all, 0..<length] } }

    /// The stored values of `layer`, `[batch, length, n_kv, d_head]`, nil if the layer holds none.
    public func values(layer: Int) -> Tensor? { values[layer].map { $0[.all, 0..<length] } }

    /// Writes `k`, `v` (`[batch, new, n_kv, d_head]`) after the stored positions of `layer` and returns all
    /// keys and values so far, `[batch, length + new, n_kv, d_head]`.
    func append(layer: Int, k: Tensor, v: Tensor) -> (Tensor, Tensor) {
        let total = length + k.shape[1]
        write(k, into: &keys[layer], total: total)
        write(v, into: &values[layer], total: total)
        return (keys[layer]![.all, 0..<total], values[layer]![.all, 0..<total])
    }

    /// Copies `x` into positions `length..<total` of `buffer` (in place: the cache owns the only reference),
    /// allocating or doubling the buffer first when it is too short.
    private func write(_ x: Tensor, into buffer: inout Tensor?, total: Int) {
        let capacity = buffer?.shape[1] ?? 0
        if capacity < total {
            var grown = Tensor(zeros: [batch, max(total, 2 * capacity, 16), x.shape[2], x.shape[3]])
            if let old = buffer, length > 0 { grown[.all, 0..<length] = old[.all, 0..<length] }
            buffer = grown
        }
        buffer![.all, length..<total] = x
    }

    /// The mask of stored plus new positions `[batch, length + new]`, or nil when neither has padding.
    func extendedMask(new: [UInt8]?, count: Int) -> [UInt8]? {
        if mask == nil && new == nil { return nil }
        let old = mask ?? [UInt8](repeating: 1, count: batch * length)
        let fresh = new ?? [UInt8](repeating: 1, count: batch * count)
        var out: [UInt8] = []
        out.reserveCapacity(batch * (length + count))
        for b in 0..<batch {
            out += old[(b * length)..<((b + 1) * length)]
            out += fresh[(b * count)..<((b + 1) * count)]
        }
        return out
    }

    /// Makes `count` appended positions part of the cache, with the full mask from `extendedMask`.
    func commit(count: Int, mask: [UInt8]?) {
        length += count
        self.mask = mask
    }
}
