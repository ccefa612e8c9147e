/// The "first analysis" of one prompt: the prediction, the logit lens, direct logit attribution, activation
/// patching (with a corrupted prompt) and the attention patterns of the heads with the largest |attribution|
/// and of those whose patch restores the most.
public struct PromptAnalysis: Sendable, Encodable {
    /// The model's prediction at the last position.
    public struct Prediction: Sendable, Encodable {
        /// The answer's rank (0 = top prediction).
        public let answerRank: Int
        /// The answer's probability.
        public let answerProbability: Float
        /// The answer's logit.
        public let answerLogit: Float
        /// The wrong answer's rank, probability and logit, if any.
        public let wrongRank: Int?, wrongProbability: Float?, wrongLogit: Float?
        /// The top tokens, best first, with their probabilities.
        public let top: [TopToken]
    }

    /// A predicted token.
    public struct TopToken: Sendable, Encodable {
        /// The token as text.
        public let token: String
        /// Its probability.
        public let probability: Float
    }

    /// One head's attention pattern over the prompt.
    public struct HeadPattern: Sendable, Encodable {
        /// The head.
        public let head: AttentionHead
        /// `[dest][src]` attention weights.
        public let pattern: [[Float]]

        /// The pattern of `head`.
        public init(head: AttentionHead, pattern: [[Float]]) {
            (self.head, self.pattern) = (head, pattern)
        }
    }

    /// The analysed case.
    public let promptCase: PromptCase
    /// The prompt's tokens as text.
    public let tokens: [String]
    /// What `metric` measures.
    public let metricName: String
    /// The metric on the clean prompt.
    public let metric: Float
    /// The prediction.
    public let prediction: Prediction
    /// The logit lens (with the residual between attention and MLP).
    public let logitLens: LogitLensTrace
    /// Direct logit attribution by sublayer and by head.
    public let attribution: LogitAttribution
    /// Activation patching, when the case has a corrupted prompt.
    public let patching: PatchingScan?
    /// The attention patterns of the heads with the largest |direct logit attribution|, largest first.
    public let headsByAttribution: [HeadPattern]
    /// The attention patterns of the heads whose `hook_z` patch (all positions) restores the most, largest
    /// first; empty without a corrupted prompt.
    public let headsByPatching: [HeadPattern]
}

extension LensModel {
    /// Runs every step of the first analysis on `promptCase` (see `PromptAnalysis`; prompts tokenized with
    /// BOS when `prependBOS`), showing the attention of the `headCount` heads with the largest |attribution| and
    /// the `headCount` whose patch restores the most. Progress bars
    /// appear for steps over a second.
    public func analyse(_ promptCase: PromptCase, prependBOS: Bool = true, headCount: Int = 4,
                        showProgress: Bool = true) throws -> PromptAnalysis {
        let prompt = try tokenize(promptCase, prependBOS: prependBOS)
        let text: (Int) -> String = { [tokenizer] in tokenizer?.toString([$0]) ?? String($0) }
        let (logits, cache) = try transformer.runWithCache(prompt.tokenTensor)
        let metric = try prompt.metric(logits)
        let prediction = try Self.prediction(logits: logits, answer: prompt.answer, wrong: prompt.wrong, text: text)
        let lens = try cache.logitLensTrace(answer: prompt.answer, wrong: prompt.wrong, inclMid: true, tokenText: text)
        let attribution = try cache.logitAttribution(answer: prompt.answer, wrong: prompt.wrong)
        let patching = prompt.corruptedTokens == nil ? nil : try patchingScan(prompt, showProgress: showProgress)
        let patterns = { (heads: [AttentionHead]) in
            try heads.map { head in
                PromptAnalysis.HeadPattern(head: head, pattern: try cache["pattern", head.layer][0, head.head].rowArrays)
            }
        }
        return PromptAnalysis(promptCase: promptCase, tokens: prompt.strTokens, metricName: prompt.metricName,
                              metric: metric, prediction: prediction, logitLens: lens, attribution: attribution,
                              patching: patching, headsByAttribution: try patterns(attribution.topHeads(headCount)),
                              headsByPatching: try patterns(patching?.topHeads(headCount) ?? []))
    }

    /// The answer's (and wrong answer's) rank, probability and logit at the last position, and the top 5.
    static func prediction(logits: Tensor, answer: Int, wrong: Int?, text: (Int) -> String) throws -> PromptAnalysis.Prediction {
        let last = logits[0, logits.shape[1] - 1].contiguous()
        let values = last.scalars, probabilities = last.softmax(axis: -1).scalars
        func rank(_ token: Int) -> Int { values.reduce(0) { $0 + ($1 > values[token] ? 1 : 0) } }
        let top = last.topk(5).indices.intScalars.map { PromptAnalysis.TopToken(token: text($0), probability: probabilities[$0]) }
        return .init(answerRank: rank(answer), answerProbability: probabilities[answer], answerLogit: values[answer],
                     wrongRank: wrong.map(rank), wrongProbability: wrong.map { probabilities[$0] },
                     wrongLogit: wrong.map { values[$0] }, top: top)
    }
}
