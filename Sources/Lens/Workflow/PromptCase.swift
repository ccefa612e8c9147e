/// A prompt to analyse: the answer the model should give, optionally a wrong answer to compare it with
/// (the metric becomes the logit difference `logit(answer) − logit(wrong)`) and a corrupted prompt of the
/// same token length whose activations activation patching swaps with the clean prompt's.
public struct PromptCase: Sendable, Equatable, Codable {
    /// A short name of the behaviour (`facts`, `sentiment`, `ioi`, …).
    public var task: String
    /// The clean prompt.
    public var prompt: String
    /// The expected next token (one token, usually with a leading space: `" Paris"`).
    public var answer: String
    /// The competing wrong next token, if any (one token).
    public var wrong: String?
    /// A prompt of the same token length on which the model should prefer `wrong`, if any.
    public var corrupted: String?

    /// A case; `answer` and `wrong` are used exactly as given (no space is added).
    public init(task: String = "prompt", prompt: String, answer: String, wrong: String? = nil, corrupted: String? = nil) {
        (self.task, self.prompt, self.answer, self.wrong, self.corrupted) = (task, prompt, answer, wrong, corrupted)
    }
}

/// A `PromptCase` turned into token ids, checked to be analysable.
public struct TokenizedPrompt: Sendable {
    /// The case.
    public let promptCase: PromptCase
    /// Clean prompt ids (with BOS when it was prepended).
    public let tokens: [Int]
    /// Each clean token as text (`to_str_tokens`).
    public let strTokens: [String]
    /// Corrupted prompt ids, as many as `tokens`.
    public let corruptedTokens: [Int]?
    /// The answer's token id.
    public let answer: Int
    /// The wrong answer's token id.
    public let wrong: Int?

    /// Positions where the clean and corrupted prompts differ (empty without a corrupted prompt).
    public var differingPositions: [Int] {
        guard let corruptedTokens else { return [] }
        return zip(tokens, corruptedTokens).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
    }

    /// `[1, pos]` clean ids.
    public var tokenTensor: Tensor { Tensor(ints: tokens, shape: [1, tokens.count]) }

    /// `[1, pos]` corrupted ids, if any.
    public var corruptedTensor: Tensor? { corruptedTokens.map { Tensor(ints: $0, shape: [1, $0.count]) } }

    /// The metric the analyses use: `logit(answer) − logit(wrong)` at the last position, or the answer's
    /// logit alone without a wrong answer.
    public var metric: PatchingMetric {
        get throws {
            if let wrong { return try .logitDiff(answers: [answer], wrong: [wrong]) }
            let answer = answer
            return PatchingMetric(positions: .last) { logits in logits[0, logits.shape[1] - 1, answer].item() }
        }
    }

    /// What the metric measures, e.g. `logit(' Paris') − logit(' Pisa')`.
    public var metricName: String {
        let answerText = "logit('\(promptCase.answer)')"
        guard let wrongText = promptCase.wrong else { return answerText }
        return answerText + " − logit('\(wrongText)')"
    }
}

extension LensModel {
    /// Tokenizes `promptCase` (the prompts with BOS when `prependBOS`, the answers without) and checks it:
    /// each answer must be exactly one token, the corrupted prompt as long as the clean one, and the prompt
    /// shorter than the context. Throws `WorkflowError` naming the offending text.
    public func tokenize(_ promptCase: PromptCase, prependBOS: Bool = true) throws -> TokenizedPrompt {
        let tokenizer = try requireTokenizer("tokenize")
        let tokens = tokenizer.toTokens(promptCase.prompt, prependBOS: prependBOS)
        guard !tokens.isEmpty, !promptCase.prompt.isEmpty else { throw WorkflowError.emptyPrompt }
        guard tokens.count <= transformer.config.nCtx else {
            throw WorkflowError.promptTooLong(tokens: tokens.count, context: transformer.config.nCtx)
        }
        func single(_ text: String, _ role: String) throws -> Int {
            let ids = tokenizer.toTokens(text, prependBOS: false)
            guard ids.count == 1 else {
                throw WorkflowError.notSingleToken(role: role, text: text, pieces: tokenizer.toStrTokens(ids))
            }
            return ids[0]
        }
        let answer = try single(promptCase.answer, "answer")
        let wrong = try promptCase.wrong.map { try single($0, "wrong answer") }
        var corruptedTokens: [Int]?
        if let corrupted = promptCase.corrupted {
            let ids = tokenizer.toTokens(corrupted, prependBOS: prependBOS)
            guard ids.count == tokens.count else {
                throw WorkflowError.corruptedLength(clean: tokenizer.toStrTokens(tokens), corrupted: tokenizer.toStrTokens(ids))
            }
            corruptedTokens = ids
        }
        return TokenizedPrompt(promptCase: promptCase, tokens: tokens, strTokens: tokenizer.toStrTokens(tokens),
                               corruptedTokens: corruptedTokens, answer: answer, wrong: wrong)
    }
}
