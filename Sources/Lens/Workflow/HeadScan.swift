/// The head detector on repeated random tokens: how much each head behaves like a previous-token,
/// duplicate-token or induction head, and how well the model predicts the repeated half.
public struct HeadScan: Sendable, Encodable {
    /// Length of each random half.
    public let length: Int
    /// Number of sequences.
    public let batch: Int
    /// `[n_layers][n_heads]` `detect_head` scores (`mul`: share of attention on the expected pairs),
    /// averaged over the sequences.
    public let previousToken: [[Float]]
    /// `[n_layers][n_heads]` duplicate-token `detect_head` scores.
    public let duplicateToken: [[Float]]
    /// `[n_layers][n_heads]` induction `detect_head` scores.
    public let induction: [[Float]]
    /// `[n_layers][n_heads]` induction stripe: the mean attention from each token of the second half to the
    /// token after its first occurrence (the tutorials' induction score).
    public let inductionStripe: [[Float]]
    /// Mean cross-entropy of the next token over the first half (the model cannot know it).
    public let lossFirstHalf: Float
    /// Mean cross-entropy of the next token over the second half (low when induction works).
    public let lossSecondHalf: Float
    /// Top-1 accuracy of the next token over the second half.
    public let accuracySecondHalf: Float
    /// `[2·length]`: the loss at each predicting position 0 … 2·length−1, averaged over the sequences.
    public let lossByPosition: [Float]
    /// The first sequence (with BOS), for showing attention patterns.
    public let exampleTokens: [Int]

    /// The head with the highest induction stripe and its score.
    public var bestInductionHead: (head: AttentionHead, score: Float) {
        let head = AttentionHead.top(1, of: inductionStripe)[0]
        return (head, inductionStripe[head.layer][head.head])
    }

    /// The induction stripe of a head that spreads its attention evenly over the prefix:
    /// `mean_k 1 / (length + 2 + k)` for `k = 0 … length−1`. A real induction head scores far above it.
    public var uniformInductionScore: Float {
        Float((0..<length).reduce(0.0) { $0 + 1 / Double(length + 2 + $1) } / Double(length))
    }

    /// The head with the highest previous-token score and its score.
    public var bestPreviousTokenHead: (head: AttentionHead, score: Float) {
        let head = AttentionHead.top(1, of: previousToken)[0]
        return (head, previousToken[head.layer][head.head])
    }
}

extension HookedTransformer {
    /// Runs `batch` sequences of BOS + `length` random tokens written twice (`repeatedRandomTokens` with
    /// `seed`) in one cached pass and scores every head with `detectHead` (previous token, duplicate token,
    /// induction; `mul` measure, averaged over the sequences) and with the induction stripe
    /// (`inductionScores`), along with the next-token loss on each half.
    public func headScan(length: Int = 50, batch: Int = 20, seed: UInt64 = 0, bos: Int? = nil,
                         showProgress: Bool = true) throws -> HeadScan {
        guard 2 * length + 1 <= config.nCtx, length > 1 else {
            throw LensError.invalidArgument("headScan: 1 + 2·\(length) tokens must fit the context of \(config.nCtx) (length ≥ 2)")
        }
        let tokens = try repeatedRandomTokens(length: length, batch: batch, seed: seed, bos: bos)
        let (logits, cache) = try runWithCache(tokens, names: .filter { $0.hasSuffix("attn.hook_pattern") })
        let stripe = try inductionScores(repeatedTokens: tokens, length: length, cache: cache)
        let patterns: [DetectionPattern] = [.previousToken, .duplicateToken, .induction]
        var totals = patterns.map { _ in Tensor(zeros: [config.nLayers, config.nHeads]) }
        let progress = ProgressBar("head detector", total: batch, enabled: showProgress)
        defer { progress.finish() }
        let rows = tokens.intScalars, width = tokens.shape[1]
        for b in 0..<batch {
            let row = try cache.applySliceToBatchDim(.index(b))
            let ids = Tensor(ints: Array(rows[(b * width)..<((b + 1) * width)]), shape: [width])
            for (k, pattern) in patterns.enumerated() {
                totals[k] = totals[k] + (try detectHead(tokens: ids, pattern: pattern, cache: row))
            }
            progress.advance(by: 1)
        }
        let losses = nextTokenLosses(logits: logits, tokens: tokens)
        let predictions = logits[.all, length..<(2 * length)].argmax(axis: -1).intScalars
        var correct = 0
        for b in 0..<batch {
            for k in 0..<length where predictions[b * length + k] == rows[b * width + length + 1 + k] { correct += 1 }
        }
        let scores = totals.map { ($0 / Float(batch)).rowArrays }
        return HeadScan(length: length, batch: batch, previousToken: scores[0], duplicateToken: scores[1],
                        induction: scores[2], inductionStripe: stripe.rowArrays,
                        lossFirstHalf: mean(losses[0..<length]), lossSecondHalf: mean(losses[length...]),
                        accuracySecondHalf: Float(correct) / Float(batch * length), lossByPosition: losses,
                        exampleTokens: Array(rows[0..<width]))
    }

    /// `[pos − 1]`: the cross-entropy of token `i + 1` predicted at position `i`, averaged over the batch.
    private func nextTokenLosses(logits: Tensor, tokens: Tensor) -> [Float] {
        let logProbs = logits.logSoftmax(axis: -1)
        let batch = tokens.shape[0], width = tokens.shape[1], ids = tokens.intScalars
        return (0..<(width - 1)).map { i in
            var total: Float = 0
            for b in 0..<batch { total -= logProbs.value(at: [b, i, ids[b * width + i + 1]]) }
            return total / Float(batch)
        }
    }

    private func mean(_ values: ArraySlice<Float>) -> Float { values.reduce(0, +) / Float(Swift.max(values.count, 1)) }
}
