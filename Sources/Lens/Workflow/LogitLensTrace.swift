/// The logit lens of one prompt (TransformerLens semantics: each accumulated residual normalised by
/// `ln_final` with its own statistics, then unembedded): how the answer fares at every layer, and the top
/// token at every layer and position.
public struct LogitLensTrace: Sendable, Encodable {
    /// One accumulated residual at the analysed position.
    public struct Row: Sendable, Encodable {
        /// `0_pre`, `0_mid`, …, `final_post`.
        public let label: String
        /// The answer's logit.
        public let answerLogit: Float
        /// The answer's softmax probability.
        public let answerProbability: Float
        /// How many tokens have a larger logit than the answer (0 = top prediction).
        public let answerRank: Int
        /// `logit(answer) − logit(wrong)`, when there is a wrong answer.
        public let logitDiff: Float?
        /// The most likely token.
        public let topToken: String
        /// Its probability.
        public let topProbability: Float
    }

    /// One row per accumulated residual, from the embeddings to the final residual.
    public let rows: [Row]
    /// The position analysed (the last).
    public let position: Int
    /// `[components][pos]`: the probability of the top token at every component and position.
    public let topProbabilities: [[Float]]
    /// `[components][pos]`: the top token at every component and position.
    public let topTokens: [[String]]
    /// Logits `[components, d_vocab_out]` at the analysed position (not encoded).
    public let logits: Tensor

    private enum CodingKeys: String, CodingKey { case rows, position, topProbabilities, topTokens }

    /// The first row at which the answer is the top prediction (and stays so to the end), if any.
    public var firstTopRow: Row? {
        guard let last = rows.lastIndex(where: { $0.answerRank != 0 }) else { return rows.first }
        return last + 1 < rows.count ? rows[last + 1] : nil
    }
}

extension ActivationCache {
    /// The logit lens of a cached batch-of-one run (`[1, pos]`, cache with the residual stream and
    /// `ln_final.hook_scale`): the answer's logit, probability and rank at each accumulated residual of the
    /// last position (`inclMid` adds the residual between attention and MLP), and the top token everywhere.
    public func logitLensTrace(answer: Int, wrong: Int? = nil, inclMid: Bool = false,
                               tokenText: (Int) -> String) throws -> LogitLensTrace {
        let (all, labels) = try logitLens(inclMid: inclMid)
        guard all.rank == 4, all.shape[1] == 1 else {
            throw LensError.invalidArgument("logitLensTrace needs a cache of one prompt, got logits \(all.shape)")
        }
        let lens = all[.all, 0]
        let positions = lens.shape[1], vocabulary = lens.shape[2]
        guard (0..<vocabulary).contains(answer), wrong.map({ (0..<vocabulary).contains($0) }) ?? true else {
            throw LensError.invalidArgument("answer \(answer) or wrong \(wrong ?? 0) is outside the vocabulary of \(vocabulary)")
        }
        let probabilities = lens.softmax(axis: -1)
        let (topValues, topIndices) = probabilities.topk(1, axis: -1)
        let topP = topValues.scalars, topId = topIndices.intScalars
        var rows: [LogitLensTrace.Row] = []
        var gridP: [[Float]] = [], gridToken: [[String]] = []
        let last = positions - 1
        for (c, label) in labels.enumerated() {
            gridP.append(Array(topP[(c * positions)..<((c + 1) * positions)]))
            gridToken.append(topId[(c * positions)..<((c + 1) * positions)].map(tokenText))
            let logits = lens[c, last].contiguous().scalars
            let answerLogit = logits[answer]
            rows.append(.init(label: label, answerLogit: answerLogit,
                              answerProbability: probabilities.value(at: [c, last, answer]),
                              answerRank: logits.reduce(0) { $0 + ($1 > answerLogit ? 1 : 0) },
                              logitDiff: wrong.map { answerLogit - logits[$0] },
                              topToken: gridToken[c][last], topProbability: gridP[c][last]))
        }
        return LogitLensTrace(rows: rows, position: last, topProbabilities: gridP, topTokens: gridToken,
                              logits: lens[.all, last].contiguous())
    }
}
