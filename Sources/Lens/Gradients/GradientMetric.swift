/// A differentiable scalar metric of the logits: its value and its gradient with respect to the logits, which a
/// backward pass turns into gradients at every hook point. (SwiftLens has no autograd: the metric states its own
/// gradient; the built-ins below are exact.)
public struct GradientMetric {
    /// Which logits positions the metric reads (`.last`: the backward pass unembeds only that position).
    public let positions: PatchingMetric.Positions
    private let body: (Tensor) throws -> (value: Float, gradient: Tensor)

    /// A metric from a closure returning its value and `∂value/∂logits` for logits `[batch, pos, d_vocab_out]`
    /// (`[batch, 1, d_vocab_out]` when `positions` is `.last`); the gradient must have the logits' shape.
    public init(positions: PatchingMetric.Positions = .all, _ body: @escaping (Tensor) throws -> (value: Float, gradient: Tensor)) {
        self.positions = positions
        self.body = body
    }

    /// The value and gradient for logits `[batch, pos, d_vocab_out]`; the gradient has the logits' shape (zero at the
    /// positions a last-position metric does not read).
    public func callAsFunction(_ logits: Tensor) throws -> (value: Float, gradient: Tensor) {
        guard logits.rank == 3, logits.shape[1] > 0 else {
            throw LensError.invalidArgument("a gradient metric takes logits [batch, pos, d_vocab], got \(logits.shape)")
        }
        let length = logits.shape[1]
        let read = positions == .last ? logits[.all, (length - 1)...] : logits
        let (value, gradient) = try body(read)
        guard gradient.shape == read.shape else {
            throw LensError.invalidArgument("the metric's gradient has shape \(gradient.shape), expected the logits' \(read.shape)")
        }
        guard positions == .last, length > 1 else { return (value, gradient) }
        var full = Tensor(zeros: logits.shape)
        full[.all, (length - 1)...] = gradient
        return (value, full)
    }

    /// The metric's value alone, as a `PatchingMetric` (for the exact patching sweeps).
    public var patchingMetric: PatchingMetric {
        PatchingMetric(positions: positions) { try body($0).value }
    }

    /// `(m − corrupted) / (clean − corrupted)` and its gradient `∂m / (clean − corrupted)`: 0 scores like the
    /// corrupted run, 1 like the clean run.
    public func normalized(clean: Float, corrupted: Float) throws -> GradientMetric {
        let span = clean - corrupted
        guard span != 0, span.isFinite else {
            throw LensError.invalidArgument("cannot normalise a metric whose clean and corrupted values are both \(clean)")
        }
        return GradientMetric(positions: positions) { logits in
            let (value, gradient) = try body(logits)
            return ((value - corrupted) / span, gradient / span)
        }
    }
}

extension GradientMetric {
    /// Logit difference at the last position, averaged over the batch (as `PatchingMetric.logitDiff`):
    /// `m = mean_b (logits[b, -1, answers[b]] − logits[b, -1, wrong[b]])`, so `∂m/∂logits[b, -1, answers[b]] = 1/B`
    /// and `∂m/∂logits[b, -1, wrong[b]] = −1/B` (0 when both ids are equal).
    public static func logitDiff(answers: [Int], wrong: [Int]) throws -> GradientMetric {
        guard !answers.isEmpty, answers.count == wrong.count else {
            throw LensError.invalidArgument("logitDiff: \(answers.count) answers but \(wrong.count) wrong answers")
        }
        return GradientMetric(positions: .last) { logits in
            let (batch, vocabulary) = (logits.shape[0], logits.shape[2])
            guard batch == answers.count else {
                throw LensError.invalidArgument("logitDiff was set up for \(answers.count) rows, got logits \(logits.shape)")
            }
            if let bad = (answers + wrong).first(where: { !(0..<vocabulary).contains($0) }) {
                throw LensError.invalidArgument("logitDiff: token \(bad) is outside the vocabulary of \(vocabulary)")
            }
            let rows = logits[.all, 0].contiguous()
            var total: Double = 0
            var gradient = [Float](repeating: 0, count: batch * vocabulary)
            let share = 1 / Float(batch)
            for b in 0..<batch {
                total += Double(rows.value(at: [b, answers[b]])) - Double(rows.value(at: [b, wrong[b]]))
                gradient[b * vocabulary + answers[b]] += share
                gradient[b * vocabulary + wrong[b]] -= share
            }
            return (Float(total / Double(batch)), Tensor(gradient, shape: [batch, 1, vocabulary]))
        }
    }

    /// Mean log-probability of `tokens[b]` at the last position: `m = mean_b log_softmax(logits[b, -1])[t_b]`,
    /// `∂m/∂logits[b, -1, v] = (𝟙[v = t_b] − softmax(logits[b, -1])[v]) / B`.
    public static func logProb(tokens: [Int]) throws -> GradientMetric {
        guard !tokens.isEmpty else { throw LensError.invalidArgument("logProb needs one token per batch row") }
        return GradientMetric(positions: .last) { logits in
            let (batch, vocabulary) = (logits.shape[0], logits.shape[2])
            guard batch == tokens.count else {
                throw LensError.invalidArgument("logProb was set up for \(tokens.count) rows, got logits \(logits.shape)")
            }
            if let bad = tokens.first(where: { !(0..<vocabulary).contains($0) }) {
                throw LensError.invalidArgument("logProb: token \(bad) is outside the vocabulary of \(vocabulary)")
            }
            let logProbs = logits.logSoftmax(axis: -1).contiguous()
            var gradient = logProbs.exp().scalars.map { -$0 / Float(batch) }
            var total: Double = 0
            for (b, t) in tokens.enumerated() {
                total += Double(logProbs.value(at: [b, 0, t]))
                gradient[b * vocabulary + t] += 1 / Float(batch)
            }
            return (Float(total / Double(batch)), Tensor(gradient, shape: logits.shape))
        }
    }
}
