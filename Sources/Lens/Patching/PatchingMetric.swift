/// A scalar summary of patched logits: the `patching_metric` of TransformerLens's patching functions.
///
/// The closure receives logits `[batch, pos, d_vocab_out]`, or `[batch, 1, d_vocab_out]` (the last position
/// only) when `positions` is `.last`, which lets a sweep unembed one position per row instead of all. The
/// built-in metrics read only the last position.
public struct PatchingMetric {
    /// Which positions of the logits the metric reads.
    public enum Positions: Sendable, Equatable {
        /// Every position: the closure gets `[batch, pos, d_vocab_out]`.
        case all
        /// The last position: the closure gets `[batch, 1, d_vocab_out]`.
        case last
    }

    /// The positions the closure reads.
    public let positions: Positions
    private let body: (Tensor) throws -> Float

    /// A metric from a closure over logits (`positions` says which positions it is given).
    public init(positions: Positions = .all, _ body: @escaping (Tensor) throws -> Float) {
        self.positions = positions
        self.body = body
    }

    /// The metric of `logits` (`[batch, pos, d_vocab_out]`; only the positions the metric reads are used).
    public func callAsFunction(_ logits: Tensor) throws -> Float {
        guard logits.rank == 3 else {
            throw LensError.invalidArgument("a patching metric takes logits [batch, pos, d_vocab], got \(logits.shape)")
        }
        return try body(positions == .last ? logits[.all, (logits.shape[1] - 1)...] : logits)
    }

    /// `(m − corrupted) / (clean − corrupted)`: 0 when the logits score like the corrupted run, 1 like the
    /// clean run.
    public func normalized(clean: Float, corrupted: Float) throws -> PatchingMetric {
        let span = clean - corrupted
        guard span != 0, span.isFinite else {
            throw LensError.invalidArgument("cannot normalise a metric whose clean and corrupted values are both \(clean)")
        }
        return PatchingMetric(positions: positions) { (try body($0) - corrupted) / span }
    }

    /// `normalized(clean:corrupted:)` with both values measured on the given logits.
    public func normalized(cleanLogits: Tensor, corruptedLogits: Tensor) throws -> PatchingMetric {
        try normalized(clean: self(cleanLogits), corrupted: self(corruptedLogits))
    }
}

/// A correct and an incorrect answer, each one token or several.
public struct AnswerPair: Sendable, Equatable {
    /// Token ids of the correct answer.
    public let answer: [Int]
    /// Token ids of the incorrect answer (as many as `answer`).
    public let wrong: [Int]

    /// A pair of single-token answers.
    public init(_ answer: Int, _ wrong: Int) {
        self.answer = [answer]
        self.wrong = [wrong]
    }

    /// A pair of multi-token answers of equal length; throws for an empty or unequal pair.
    public init(answer: [Int], wrong: [Int]) throws {
        guard !answer.isEmpty, answer.count == wrong.count else {
            throw LensError.invalidArgument("answer pair needs equal, non-empty token lists, got \(answer.count) and \(wrong.count)")
        }
        self.answer = answer
        self.wrong = wrong
    }
}

extension PatchingMetric {
    /// Logit difference at the last position, averaged over the batch:
    /// `mean_b mean_{pairs p of row b} mean_i (logits[b, -1, answer_p[i]] − logits[b, -1, wrong_p[i]])`.
    /// `pairs[b]` lists row `b`'s pairs; a multi-token answer compares its tokens index by index at the last
    /// position (the multiplication tutorial's `logits_to_ave_logit_diff`).
    public static func logitDiff(_ pairs: [[AnswerPair]]) throws -> PatchingMetric {
        guard !pairs.isEmpty, pairs.allSatisfy({ !$0.isEmpty }) else {
            throw LensError.invalidArgument("logitDiff needs at least one answer pair per batch row")
        }
        return PatchingMetric(positions: .last) { logits in
            let rows = try lastPositionRows(logits, batch: pairs.count, name: "logitDiff")
            var total: Double = 0
            for (b, rowPairs) in pairs.enumerated() {
                var rowTotal: Double = 0
                for pair in rowPairs {
                    var pairTotal: Double = 0
                    for (a, w) in zip(pair.answer, pair.wrong) {
                        pairTotal += Double(try rows.logit(b, a)) - Double(try rows.logit(b, w))
                    }
                    rowTotal += pairTotal / Double(pair.answer.count)
                }
                total += rowTotal / Double(rowPairs.count)
            }
            return Float(total / Double(pairs.count))
        }
    }

    /// Single-token logit difference `mean_b (logits[b, -1, answers[b]] − logits[b, -1, wrong[b]])`.
    public static func logitDiff(answers: [Int], wrong: [Int]) throws -> PatchingMetric {
        guard answers.count == wrong.count else {
            throw LensError.invalidArgument("logitDiff: \(answers.count) answers but \(wrong.count) wrong answers")
        }
        return try logitDiff(zip(answers, wrong).map { [AnswerPair($0, $1)] })
    }

    /// Log-probability of a token at the last position, averaged over the batch:
    /// `mean_b log_softmax(logits[b, -1])[tokens[b]]`.
    public static func logProb(tokens: [Int]) -> PatchingMetric {
        PatchingMetric(positions: .last) { logits in
            let rows = try lastPositionRows(logits, batch: tokens.count, name: "logProb")
            let logProbs = rows.values.logSoftmax(axis: -1)
            var total: Double = 0
            for (b, t) in tokens.enumerated() {
                _ = try rows.logit(b, t)
                total += Double(logProbs.value(at: [b, t]))
            }
            return Float(total / Double(tokens.count))
        }
    }

    /// KL divergence of the patched from the reference distribution at the last position, averaged over
    /// the batch: `mean_b Σ_v p_ref[b, v] (log p_ref[b, v] − log p[b, v])` with `reference` the logits
    /// `[batch, pos, d_vocab_out]` of the reference (usually clean) run. 0 when the logits match.
    public static func klDivergence(from reference: Tensor) throws -> PatchingMetric {
        guard reference.rank == 3 else {
            throw LensError.invalidArgument("klDivergence reference logits must be [batch, pos, d_vocab], got \(reference.shape)")
        }
        let referenceLogProbs = reference[.all, reference.shape[1] - 1].logSoftmax(axis: -1)
        let referenceProbs = referenceLogProbs.exp()
        return PatchingMetric(positions: .last) { logits in
            let rows = try lastPositionRows(logits, batch: reference.shape[0], name: "klDivergence")
            guard rows.values.shape == referenceLogProbs.shape else {
                throw LensError.invalidArgument("klDivergence: logits \(logits.shape) do not match the reference \(reference.shape)")
            }
            let terms = referenceProbs * (referenceLogProbs - rows.values.logSoftmax(axis: -1))
            return terms.sum(axis: -1).mean().item()
        }
    }
}

/// The last-position logits `[batch, d_vocab]` of a metric's input, with checked token lookups.
private struct LastPositionRows {
    /// `[batch, d_vocab]` logits.
    let values: Tensor
    let name: String

    /// `values[b, token]`; throws for a token outside the vocabulary.
    func logit(_ b: Int, _ token: Int) throws -> Float {
        guard token >= 0, token < values.shape[1] else {
            throw LensError.invalidArgument("\(name): token \(token) is outside the vocabulary of \(values.shape[1])")
        }
        return values.value(at: [b, token])
    }
}

/// Checks that `logits` has `batch` rows and returns its last position.
private func lastPositionRows(_ logits: Tensor, batch: Int, name: String) throws -> LastPositionRows {
    guard logits.rank == 3, logits.shape[0] == batch, logits.shape[1] > 0 else {
        throw LensError.invalidArgument("\(name) was set up for \(batch) rows, got logits \(logits.shape)")
    }
    return LastPositionRows(values: logits[.all, logits.shape[1] - 1].contiguous(), name: name)
}
