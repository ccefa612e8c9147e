import Foundation

/// Everything `lens demo` finds on a model: each prompt's prediction, the full analysis of the first pair
/// of every task, and the head detector on repeated random tokens.
public struct DemoFindings: Sendable, Encodable {
    /// One prompt's prediction.
    public struct Behaviour: Sendable, Encodable {
        /// The prompt pair.
        public let promptCase: PromptCase
        /// The model's prediction after the clean prompt.
        public let prediction: PromptAnalysis.Prediction
        /// `logit(answer) − logit(wrong)` after the clean prompt.
        public let logitDiff: Float
        /// The same after the corrupted prompt (where the wrong answer is the right one).
        public let corruptedLogitDiff: Float
        /// Whether the answer is the top prediction.
        public var predictsAnswer: Bool { prediction.answerRank == 0 }
        /// Whether the model prefers the answer to the wrong answer (`logitDiff > 0`; without a wrong answer,
        /// whether it predicts the answer).
        public var prefersAnswer: Bool { promptCase.wrong == nil ? predictsAnswer : logitDiff > 0 }
    }

    /// The model folder's name.
    public let modelName: String
    /// `GPT-2 · 4 layers × 4 heads · d_model 128`.
    public let modelDescription: String
    /// Every prompt pair's prediction, in file order.
    public let behaviours: [Behaviour]
    /// The full analysis of the first pair of each task.
    public let analyses: [PromptAnalysis]
    /// The head detector.
    public let heads: HeadScan
    /// Attention patterns of the best induction and previous-token heads on a short repeated sequence.
    public let inductionExample: InductionExample
    /// The demo SAE's features, when the model folder has one.
    public let features: DemoFeatures?
}

/// A short repeated random sequence and the patterns of chosen heads on it.
public struct InductionExample: Sendable, Encodable {
    /// The tokens as text (BOS, then the same random tokens twice).
    public let tokens: [String]
    /// The patterns.
    public let patterns: [PromptAnalysis.HeadPattern]
}

extension LensModel {
    /// Runs the demo workflow on this model with `prompts` (see `DemoFindings`). `modelName` labels the output.
    /// With `showProgress` one bar on standard error counts the steps once the run passes a second. With `features`
    /// the demo SAE's features are shown too (`demoFeatures`).
    public func runDemo(prompts: DemoPrompts, modelName: String, features: DemoFeatureSetup? = nil,
                        showProgress: Bool = true) throws -> DemoFindings {
        let text: (Int) -> String = { [tokenizer] in tokenizer?.toString([$0]) ?? String($0) }
        let tasks = prompts.tasks
        let progress = ProgressBar("lens demo", total: prompts.cases.count + tasks.count + 3, enabled: showProgress)
        defer { progress.finish() }
        var behaviours: [DemoFindings.Behaviour] = []
        for promptCase in prompts.cases {
            let prompt = try tokenize(promptCase, prependBOS: prompts.prependBOS)
            let logits = try transformer.forward(tokens: prompt.tokenTensor)
            let corruptedLogits = try prompt.corruptedTensor.map { try transformer.forward(tokens: $0) }
            let metric = try prompt.metric
            behaviours.append(.init(promptCase: promptCase,
                                    prediction: try Self.prediction(logits: logits, answer: prompt.answer,
                                                                    wrong: prompt.wrong, text: text),
                                    logitDiff: try metric(logits),
                                    corruptedLogitDiff: try corruptedLogits.map { try metric($0) } ?? .nan))
            progress.advance(by: 1)
        }
        let analyses = try tasks.map { task in
            defer { progress.advance(by: 1) }
            return try analyse(prompts.cases.first { $0.task == task }!, prependBOS: prompts.prependBOS, showProgress: false)
        }
        let bos = prompts.prependBOS ? tokenizer?.bosTokenId : nil
        let induction = prompts.induction
        let heads = try transformer.headScan(length: induction.length, batch: induction.batch, seed: induction.seed,
                                             bos: bos, showProgress: false)
        progress.advance(by: 1)
        let example = try inductionExample(heads: heads, seed: induction.seed, bos: bos, text: text)
        progress.advance(by: 1)
        let featureFindings = try features.map { setup in
            try demoFeatures(saeFolder: setup.saeFolder, corpus: setup.corpus, prompts: prompts.cases.map(\.prompt),
                             maxBatches: setup.maxBatches)
        }
        progress.advance(by: 1)
        let c = transformer.config
        let description = "\(c.originalArchitecture ?? "transformer") · \(c.nLayers) layers × \(c.nHeads) heads · "
            + "d_model \(c.dModel)"
        return DemoFindings(modelName: modelName, modelDescription: description, behaviours: behaviours,
                            analyses: analyses, heads: heads, inductionExample: example, features: featureFindings)
    }

    /// The best induction and previous-token heads' patterns on BOS + 10 random tokens written twice.
    func inductionExample(heads: HeadScan, seed: UInt64, bos: Int?, text: (Int) -> String) throws -> InductionExample {
        let tokens = try transformer.repeatedRandomTokens(length: min(10, heads.length), seed: seed &+ 1, bos: bos)
        let (_, cache) = try transformer.runWithCache(tokens, names: .filter { $0.hasSuffix("attn.hook_pattern") })
        var shown: [AttentionHead] = []
        for head in [heads.bestInductionHead.head, heads.bestPreviousTokenHead.head] where !shown.contains(head) {
            shown.append(head)
        }
        let patterns = try shown.map {
            PromptAnalysis.HeadPattern(head: $0, pattern: try cache["pattern", $0.layer][0, $0.head].rowArrays)
        }
        return InductionExample(tokens: tokens.intScalars.map(text), patterns: patterns)
    }
}
