/// A linear read-out of activations: `scores = x · weights + bias`.
///
/// `weights` is `[d, outputs]` and `bias` `[outputs]`: one output per regression target, one for a binary
/// classifier (class 1 when the score is positive), one per class for a multi-class classifier (the
/// arg-max class). The columns of `weights` are the probe's directions in activation space.
public struct LinearProbe: Sendable {
    /// What the probe predicts.
    public enum Kind: Sendable, Equatable {
        /// Real-valued targets (least squares).
        case regression
        /// Two classes, 0 and 1, from the sign of the single score.
        case binary
        /// `classes` classes from the arg-max score.
        case multiclass(classes: Int)
    }

    /// Weights `[d, outputs]`.
    public let weights: Tensor
    /// Bias `[outputs]`.
    public let bias: Tensor
    /// What the scores mean.
    public let kind: Kind

    /// A probe from its weights `[d, outputs]` and bias `[outputs]`.
    public init(weights: Tensor, bias: Tensor, kind: Kind) throws {
        guard weights.rank == 2, bias.shape == [weights.shape[1]] else {
            throw LensError.invalidArgument("probe weights \(weights.shape) and bias \(bias.shape) must be [d, k] and [k]")
        }
        if case .binary = kind, weights.shape[1] != 1 {
            throw LensError.invalidArgument("a binary probe has one output, got \(weights.shape[1])")
        }
        if case let .multiclass(classes) = kind, weights.shape[1] != classes {
            throw LensError.invalidArgument("a \(classes)-class probe needs \(classes) outputs, got \(weights.shape[1])")
        }
        self.weights = weights.converted(to: .float32)
        self.bias = bias.converted(to: .float32)
        self.kind = kind
    }

    /// Scores `[..., outputs]` of activations `[..., d]`.
    public func scores(_ x: Tensor) throws -> Tensor {
        guard x.shape.last == weights.shape[0] else {
            throw LensError.invalidArgument("probe input \(x.shape) does not end in d = \(weights.shape[0])")
        }
        return x.matmul(weights) + bias
    }

    /// Predicted classes `[...]` (int64) of a classifier; throws for a regression probe.
    public func predict(_ x: Tensor) throws -> Tensor {
        let s = try scores(x)
        switch kind {
        case .regression: throw LensError.invalidArgument("a regression probe predicts values: use scores")
        case .binary: return (s.squeezed([s.rank - 1]) .> 0).converted(to: .int64)
        case .multiclass: return s.argmax(axis: -1)
        }
    }

    /// The share of rows of `x` (`[N, d]`) whose predicted class equals `labels[i]`.
    public func accuracy(_ x: Tensor, labels: [Int]) throws -> Float {
        let predicted = try predict(x).intScalars
        guard predicted.count == labels.count, !labels.isEmpty else {
            throw LensError.invalidArgument("\(labels.count) labels for \(predicted.count) rows")
        }
        return Float(zip(predicted, labels).filter { $0 == $1 }.count) / Float(labels.count)
    }

    /// Mean squared error of a regression probe's scores against `targets` (`[N]` or `[N, outputs]`).
    public func meanSquaredError(_ x: Tensor, targets: Tensor) throws -> Float {
        var s = try scores(x)
        if targets.rank == 1, s.shape.last == 1 { s = s.squeezed([s.rank - 1]) }
        guard s.shape == targets.shape else {
            throw LensError.invalidArgument("targets \(targets.shape) do not match the scores \(s.shape)")
        }
        return (s - targets).square().mean().item()
    }

    /// The probe directions with unit norm: each column of `weights` divided by its length, `[d, outputs]`.
    public var normalizedDirections: Tensor {
        weights / weights.square().sum(axis: 0, keepDims: true).sqrt()
    }
}
