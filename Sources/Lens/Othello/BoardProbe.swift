/// A linear probe of the Othello board read from the residual stream: for each of the 64 squares three scores
/// (blank, theirs, mine relative to the player to move), the arg-max the predicted class. Its weights are the
/// tutorial's `linear_probe` `[d_model, rows, cols, options]`.
public struct BoardProbe: Sendable {
    /// How the probe is fitted.
    public enum Method: Sendable, Equatable, CustomStringConvertible {
        /// Least squares on one-hot targets with an intercept (`ProbeFitting.leastSquares`), all squares at once.
        case leastSquares
        /// One L2-regularised three-class logistic regression per square (`ProbeFitting.logistic`), on at most
        /// `maxRows` rows, stopped at `gradientTolerance`.
        case logistic(l2: Double = 1e-3, maxRows: Int = 4000, gradientTolerance: Double = 1e-5)

        /// "least squares" or "logistic regression (L2 0.001, at most 4000 rows)".
        public var description: String {
            switch self {
            case .leastSquares: return "least squares"
            case let .logistic(l2, maxRows, _): return "logistic regression (L2 \(l2), at most \(maxRows) rows)"
            }
        }
    }

    /// The three scores of every square: `scores = x · weights + bias`, `weights [d, 64 · 3]` (square-major).
    public let probe: LinearProbe

    /// Fits a probe to activations `x [N, d]` and board classes `states [N · 64]` (`OthelloCellState.rawValue`
    /// of each square, row by row, as `OthelloDataset.states` holds them).
    public init(fitting x: Tensor, states: [Int], method: Method = .leastSquares) throws {
        guard x.rank == 2, states.count == x.shape[0] * 64 else {
            throw LensError.invalidArgument("a board probe needs x [N, d] and 64 classes per row, got \(x.shape) and \(states.count)")
        }
        let n = x.shape[0], d = x.shape[1]
        switch method {
        case .leastSquares:
            var oneHot = [Float](repeating: 0, count: n * 192)
            for (i, c) in states.enumerated() { oneHot[i * 3 + c] = 1 }
            let fitted = try ProbeFitting.leastSquares(x, targets: Tensor(oneHot, shape: [n, 192]))
            probe = try LinearProbe(weights: fitted.weights, bias: fitted.bias, kind: .regression)
        case let .logistic(l2, maxRows, tolerance):
            let rows = Array(0..<Swift.min(n, maxRows))
            let subset = try x.indexSelect(rows, axis: 0)
            var weights = Tensor(zeros: [d, 64, 3]), bias = Tensor(zeros: [64, 3])
            for square in 0..<64 {
                let labels = rows.map { states[$0 * 64 + square] }
                guard Set(labels).count > 1 else {
                    // One class only (the centre squares are never blank): a constant score for it.
                    bias[square, labels[0]] = Tensor(scalar: 1)
                    continue
                }
                let (fitted, _) = try ProbeFitting.logistic(subset, labels: labels, classes: 3, l2: l2,
                                                            gradientTolerance: tolerance, maxIterations: 500)
                weights[.all, square] = fitted.weights
                bias[square] = fitted.bias
            }
            probe = try LinearProbe(weights: weights.reshaped([d, 192]), bias: bias.reshaped([192]), kind: .regression)
        }
    }

    /// The weights as the tutorial's `linear_probe` `[d_model, 8, 8, 3]` (options blank, theirs, mine).
    public var directions: Tensor { probe.weights.reshaped([probe.weights.shape[0], 8, 8, 3]) }

    /// The tutorial's `blank_probe` `[d_model, 8, 8]`: blank minus the mean of theirs and mine.
    public var blankDirections: Tensor {
        let w = directions
        return w[.ellipsis, 0] - (w[.ellipsis, 1] + w[.ellipsis, 2]) * 0.5
    }

    /// The tutorial's `my_probe` `[d_model, 8, 8]`: mine minus theirs.
    public var mineDirections: Tensor {
        let w = directions
        return w[.ellipsis, 2] - w[.ellipsis, 1]
    }

    /// `blankDirections` and `mineDirections` scaled to unit length per square; the four centre squares of the
    /// blank directions are zero (they are never blank, so the direction means nothing), as in the tutorial.
    public var normalizedDirections: (blank: Tensor, mine: Tensor) {
        var blank = ProbeDirections.normalized(blankDirections)
        blank[.all, [3, 3, 4, 4], [3, 4, 3, 4]] = Tensor(scalar: 0)
        return (blank, ProbeDirections.normalized(mineDirections))
    }

    /// Predicted classes `[..., 64]` of activations `[..., d]`.
    public func predict(_ x: Tensor) throws -> Tensor {
        let scores = try probe.scores(x)
        return scores.reshaped(Array(x.shape.dropLast()) + [64, 3]).argmax(axis: -1)
    }

    /// The share of squares of each true class predicted correctly on `x [N, d]` with true `states [N · 64]`.
    public func accuracy(_ x: Tensor, states: [Int]) throws -> BoardProbeAccuracy {
        let predicted = try predict(x).intScalars
        guard predicted.count == states.count else {
            throw LensError.invalidArgument("\(states.count) board classes for \(predicted.count) predicted squares")
        }
        var hits = [0, 0, 0], totals = [0, 0, 0]
        for (p, s) in zip(predicted, states) {
            totals[s] += 1
            if p == s { hits[s] += 1 }
        }
        func share(_ c: Int) -> Float { totals[c] == 0 ? .nan : Float(hits[c]) / Float(totals[c]) }
        return BoardProbeAccuracy(blank: share(0), theirs: share(1), mine: share(2),
                                  overall: Float(hits.reduce(0, +)) / Float(Swift.max(1, states.count)))
    }
}

/// How well a board probe reads the board: the share of squares of each true class it gets right.
public struct BoardProbeAccuracy: Sendable, Equatable, Encodable {
    /// Blank squares predicted blank.
    public let blank: Float
    /// The opponent's stones predicted theirs.
    public let theirs: Float
    /// The mover's stones predicted mine.
    public let mine: Float
    /// Every square.
    public let overall: Float
}
