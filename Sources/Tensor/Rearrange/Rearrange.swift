/// How einops `reduce` combines the axes that the right side of its pattern drops.
public enum EinopsReduction: String, Sendable, CaseIterable {
    /// `Σ x`.
    case sum
    /// `Σ x / n` over the `n` reduced elements.
    case mean
    /// Largest element (NaN propagates).
    case max
    /// Smallest element (NaN propagates).
    case min
}

/// einops-style `rearrange`, `repeat` and `reduce` on named axes.
///
/// Patterns read `"left -> right"`: names are identifiers, `(h d)` merges (right) or splits (left)
/// axes, `1` and `()` are axes of size 1, `...` stands for the remaining axes, and an integer is an
/// anonymous axis of that size. Results are views whenever the strides allow.
/// Malformed patterns, unknown or inconsistent sizes throw `TensorError.invalidSpec` naming the axis.
extension Tensor {
    /// Reorders, splits and merges axes: `"b (h d) -> b h d"` with `axes: ["h": 12]`,
    /// `"b h d -> b (h d)"`, `"b h w c -> b c h w"`. Both sides must name the same axes.
    public func rearrange(_ pattern: String, axes sizes: [String: Int] = [:]) throws -> Tensor {
        try einops(pattern, .rearrange, sizes: sizes)
    }

    /// Like `rearrange`, but the right side may add axes, which repeat the data:
    /// `"h w -> h w c"` with `sizes: ["c": 3]`, `"h w -> (h 2) w"` (each row twice).
    public func `repeat`(_ pattern: String, sizes: [String: Int] = [:]) throws -> Tensor {
        try einops(pattern, .repeat, sizes: sizes)
    }

    /// Like `rearrange`, but axes missing on the right are reduced with `reduction`:
    /// `"b (h 2) (w 2) c -> b h w c"` with `.max` (2×2 max-pooling), `"b t d -> b d"` with `.mean`.
    public func reduce(_ pattern: String, _ reduction: EinopsReduction, sizes: [String: Int] = [:]) throws -> Tensor {
        try einops(pattern, .reduce, sizes: sizes, reduction: reduction)
    }

    /// `reduce` with a reduction of your own, einops's `reduction=callable`: `reduction(x, axes)` gets the
    /// tensor with the left axes split out and the axes to reduce (ascending), and must return `x` with those
    /// axes removed (throws `TensorError.shapeMismatch` otherwise). E.g. kurtosis over games and moves:
    /// `post.reduce("game move neuron -> neuron") { x, axes in kurtosis(x, axes) }`.
    public func reduce(_ pattern: String, sizes: [String: Int] = [:],
                       _ reduction: (_ x: Tensor, _ axes: [Int]) throws -> Tensor) throws -> Tensor {
        let parsed = try EinopsPattern(parsing: pattern, op: EinopsPlan.Kind.reduce.rawValue)
        let plan = try EinopsPlan(parsed, kind: .reduce, shape: shape, sizes: sizes)
        return try plan.apply(self) { x, axes in
            let out = try reduction(x, axes)
            let expected = x.shape.indices.filter { !axes.contains($0) }.map { x.shape[$0] }
            guard out.shape == expected else {
                throw TensorError.shapeMismatch(op: "reduce \"\(pattern)\": the reduction of axes \(axes) of \(x.shape) "
                                                + "must have the other axes", shapes: [expected, out.shape])
            }
            return out
        }
    }

    private func einops(
        _ pattern: String, _ kind: EinopsPlan.Kind, sizes: [String: Int], reduction: EinopsReduction = .sum
    ) throws -> Tensor {
        let parsed = try EinopsPattern(parsing: pattern, op: kind.rawValue)
        return try EinopsPlan(parsed, kind: kind, shape: shape, sizes: sizes).apply(self) { x, axes in
            EinopsPlan.reduce(x, over: axes, reduction)
        }
    }
}
