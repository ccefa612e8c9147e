import Kernels

/// Observes or replaces gradients at TransformerLens hook points during a backward pass (TransformerLens's
/// `add_hook(name, fn, dir="bwd")`).
///
/// The backward pass reaches the hook points in the reverse of the forward order. At each one it asks
/// `isActive(name)`; only then does it call `visit(name, gradient)`, where `gradient` is ∂metric/∂(the
/// activation at `name`) in the activation's shape, and continues with the returned tensor, which must have the
/// same shape (a replacement changes what flows to earlier layers, e.g. zeros stop a path).
public protocol GradientHooks {
    /// Whether `visit` must be called for the gradient at hook point `name`.
    func isActive(_ name: String) -> Bool
    /// Receives the gradient at `name`; returns it unchanged or a replacement of the same shape.
    func visit(_ name: String, _ gradient: Tensor) throws -> Tensor
}

/// A failure of a backward pass, naming the hook point.
public enum BackwardError: Error, Equatable, CustomStringConvertible {
    /// A backward hook returned a gradient of another shape than the activation's.
    case gradientShapeMismatch(hook: String, expected: [Int], found: [Int])
    /// The gradient at `hook` holds NaN or infinite values (the first hook point, in backward order, where
    /// they appear); `count` of them.
    case nonFiniteGradient(hook: String, count: Int)
    /// The backward pass cannot run as asked (a pass without a recording, a gradient of the wrong shape).
    case invalidInput(String)

    /// The message, naming the hook or the input.
    public var description: String {
        switch self {
        case let .gradientShapeMismatch(hook, expected, found):
            return "backward hook \(hook) returned a gradient of shape \(found), expected \(expected)"
        case let .nonFiniteGradient(hook, count):
            return "the gradient at \(hook) has \(count) non-finite value(s) (NaN or ±inf); it is the first hook point "
                + "of the backward pass where they appear"
        case let .invalidInput(reason):
            return "invalid backward input: \(reason)"
        }
    }
}

/// The gradient hooks of one backward pass: every hook point's gradient is checked for non-finite values
/// (throwing `BackwardError.nonFiniteGradient` at the first), handed to active hooks, and shape-checked.
struct GradientRunner {
    /// The user's gradient hooks, if any.
    let hooks: (any GradientHooks)?

    /// Whether a hook wants the gradient at `name`.
    @inline(__always) func isActive(_ name: String) -> Bool { hooks?.isActive(name) ?? false }

    /// `gradient` (checked finite), or the active hook's same-shape replacement (checked too).
    func callAsFunction(_ name: String, _ gradient: Tensor) throws -> Tensor {
        try Self.checkFinite(name, gradient)
        guard let hooks, hooks.isActive(name) else { return gradient }
        let result = try hooks.visit(name, gradient)
        guard result.shape == gradient.shape else {
            throw BackwardError.gradientShapeMismatch(hook: name, expected: gradient.shape, found: result.shape)
        }
        if !result.isSameView(as: gradient) { try Self.checkFinite(name, result) }
        return result.converted(to: .float32)
    }

    /// Throws `nonFiniteGradient(name)` when `gradient` holds NaN or ±inf.
    static func checkFinite(_ name: String, _ gradient: Tensor) throws {
        let count = gradient.withContiguousFloats { nonFiniteCount($0, gradient.count) }
        if count > 0 { throw BackwardError.nonFiniteGradient(hook: name, count: count) }
    }
}

/// The number of NaN and ±inf values among `x[0..<n]` (exponent bits all ones), counted on all cores.
func nonFiniteCount(_ x: UnsafePointer<Float>, _ n: Int) -> Int {
    let chunks = Parallel.workers
    var counts = [Int](repeating: 0, count: chunks)
    counts.withUnsafeMutableBufferPointer { out in
        let size = (n + chunks - 1) / chunks
        Parallel.forChunks(chunks, costPerElement: max(1, size)) { c0, c1 in
            for c in c0..<c1 {
                var bad = 0
                for i in (c * size)..<min(n, (c + 1) * size) where x[i].bitPattern & 0x7F80_0000 == 0x7F80_0000 { bad += 1 }
                out[c] = bad
            }
        }
    }
    return counts.reduce(0, +)
}
