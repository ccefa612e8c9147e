/// A part of one hook point's activation: all of it, or the entries of one head, one position and/or one
/// neuron (last-axis unit). Axes follow TransformerLens's shapes: head vectors (`q k v z result rot_q rot_k`)
/// are `[batch, pos, head, d_head]`, patterns and scores `[batch, head, dest, src]` (position = destination),
/// everything else `[batch, pos, ...]` with the neuron (or feature) on the last axis.
public struct ActivationRegion: Sendable, Equatable {
    /// The full hook name, e.g. `blocks.1.attn.hook_z`.
    public var hook: String
    /// One head (head vectors and patterns only).
    public var head: Int?
    /// One position (destination for patterns).
    public var position: Int?
    /// One unit of the last axis (an MLP neuron, a residual dimension, a head feature).
    public var neuron: Int?

    /// A region of `hook`; nil selectors keep the whole axis.
    public init(hook: String, head: Int? = nil, position: Int? = nil, neuron: Int? = nil) {
        (self.hook, self.head, self.position, self.neuron) = (hook, head, position, neuron)
    }

    /// Head `head`'s output (`blocks.L.attn.hook_z`), at one position or all.
    public static func head(layer: Int, head: Int, position: Int? = nil) -> ActivationRegion {
        ActivationRegion(hook: getActName("z", layer: layer), head: head, position: position)
    }

    /// MLP neuron `neuron` of `layer` after the non-linearity (`blocks.L.mlp.hook_post`).
    public static func neuron(layer: Int, neuron: Int, position: Int? = nil) -> ActivationRegion {
        ActivationRegion(hook: getActName("post", layer: layer), position: position, neuron: neuron)
    }

    /// Whether the hook holds per-head vectors `[batch, pos, head, d_head]`.
    var isHeadVector: Bool {
        ["hook_q", "hook_k", "hook_v", "hook_z", "hook_result", "hook_rot_q", "hook_rot_k"].contains { hook.hasSuffix("attn." + $0) }
    }

    /// Whether the hook holds attention patterns or scores `[batch, head, dest, src]`.
    var isPattern: Bool { hook.hasSuffix("attn.hook_pattern") || hook.hasSuffix("attn.hook_attn_scores") }

    /// The axis that holds positions.
    var positionAxis: Int { isPattern ? 2 : 1 }

    /// The indices selecting this region of an activation of `shape` (batch axis kept whole); throws for a
    /// selector the activation has no axis for, or one outside its axis.
    func indices(shape: [Int]) throws -> [TensorIndex] {
        var index = [TensorIndex](repeating: .all, count: shape.count)
        func set(_ axis: Int, _ value: Int, _ what: String) throws {
            guard axis < shape.count, axis > 0 else {
                throw LensError.invalidArgument("\(hook) (shape \(shape)) has no \(what) axis")
            }
            guard (0..<shape[axis]).contains(value) else {
                throw LensError.invalidArgument("\(what) \(value) is outside \(hook)'s axis of \(shape[axis])")
            }
            index[axis] = .at(value)
        }
        if let head {
            guard isHeadVector || isPattern else { throw LensError.invalidArgument("\(hook) has no head axis") }
            try set(isPattern ? 1 : 2, head, "head")
        }
        if let position { try set(positionAxis, position, "position") }
        if let neuron {
            guard !isPattern else { throw LensError.invalidArgument("\(hook) is an attention pattern: it has no neurons") }
            try set(shape.count - 1, neuron, "neuron")
        }
        return index
    }
}
