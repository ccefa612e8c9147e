import Foundation

/// The outcome of `testPrompt`: for each answer position, how the model ranks the answer and its top
/// tokens, with TransformerLens's `test_prompt` printout as `description`.
public struct TestPromptResult: Sendable, CustomStringConvertible {
    /// One token's score at a position.
    public struct Scored: Sendable, Equatable {
        /// Token id.
        public let token: Int
        /// The token as text.
        public let text: String
        /// Its logit.
        public let logit: Float
        /// Its softmax probability.
        public let probability: Float
        /// Its rank (0 = most likely).
        public let rank: Int
    }

    /// One predicted position: the answer token(s) there (one per answer) and the model's top tokens
    /// (for the first answer's row).
    public struct Position: Sendable {
        /// The answers' tokens at this position with their scores.
        public let answers: [Scored]
        /// The `topK` most likely tokens, best first.
        public let top: [Scored]
    }

    /// The prompt's tokens as strings.
    public let promptTokens: [String]
    /// Each answer's tokens as strings.
    public let answerTokens: [[String]]
    /// One entry per answer position.
    public let positions: [Position]

    /// `Ranks of the answer tokens: [(' road', 2)]` (a list per position when there are several answers).
    public var ranksLine: String {
        func pair(_ s: Scored) -> String { "(\(pythonRepr(s.text)), \(s.rank))" }
        let body = answerTokens.count > 1
            ? positions.map { "[" + $0.answers.map(pair).joined(separator: ", ") + "]" }
            : positions.map { pair($0.answers[0]) }
        return "Ranks of the answer tokens: [" + body.joined(separator: ", ") + "]"
    }

    /// The full printout of TransformerLens's `test_prompt`.
    public var description: String {
        var lines = ["Tokenized prompt: " + pythonRepr(promptTokens)]
        if answerTokens.count > 1 {
            lines.append("Tokenized answers: [" + answerTokens.map(pythonRepr).joined(separator: ", ") + "]")
        } else {
            lines.append("Tokenized answer: " + pythonRepr(answerTokens[0]))
        }
        for position in positions {
            lines.append("Performance on answer token\(answerTokens.count > 1 ? "s" : ""):")
            for a in position.answers {
                let rank = String(a.rank).padding(toLength: Swift.max(8, String(a.rank).count), withPad: " ", startingAt: 0)
                lines.append("Rank: \(rank) Logit: \(fixed(a.logit)) Prob: \(percent(a.probability)) Token: |\(a.text)|")
            }
            for (i, t) in position.top.enumerated() {
                lines.append("Top \(i)th token. Logit: \(fixed(t.logit)) Prob: \(percent(t.probability)) Token: |\(t.text)|")
            }
        }
        lines.append(ranksLine)
        return lines.joined(separator: "\n")
    }

    /// Python `f"{x:5.2f}"`.
    private func fixed(_ x: Float) -> String { String(format: "%5.2f", Double(x)) }
    /// Python `f"{p:6.2%}"`.
    private func percent(_ p: Float) -> String { String(format: "%5.2f%%", Double(p) * 100) }
}

extension LensModel {
    /// Runs `prompt` followed by `answer` and reports, at each answer position, the answer token's rank,
    /// logit and probability and the `topK` predictions (TransformerLens's `utils.test_prompt`). A space is
    /// put in front of the answer unless it has one (`prependSpaceToAnswer`). The report is printed
    /// (in full with `printDetails`, else only the ranks line) and returned.
    @discardableResult
    public func testPrompt(_ prompt: String, answer: String, prependSpaceToAnswer: Bool = true, printDetails: Bool = true,
                           prependBOS: Bool = true, topK: Int = 10) throws -> TestPromptResult {
        try testPrompt(prompt, answers: [answer], prependSpaceToAnswer: prependSpaceToAnswer, printDetails: printDetails,
                       prependBOS: prependBOS, topK: topK)
    }

    /// `testPrompt` with several candidate answers, compared at the first answer token only.
    @discardableResult
    public func testPrompt(_ prompt: String, answers: [String], prependSpaceToAnswer: Bool = true,
                           printDetails: Bool = true, prependBOS: Bool = true, topK: Int = 10) throws -> TestPromptResult {
        let tokenizer = try requireTokenizer("testPrompt")
        let texts = answers.map { prependSpaceToAnswer && !$0.hasPrefix(" ") ? " " + $0 : $0 }
        let result = try testPrompt(promptTokens: tokenizer.toTokens(prompt, prependBOS: prependBOS),
                                    answerTokens: texts.map { tokenizer.toTokens($0, prependBOS: false) }, topK: topK)
        print(printDetails ? result.description : result.ranksLine)
        return result
    }

    /// `testPrompt` on token ids: `promptTokens` followed by each answer's ids (several answers are compared at
    /// their first token only). Token texts come from the tokenizer, or are the decimal ids without one.
    /// Returns the report without printing it.
    public func testPrompt(promptTokens: [Int], answerTokens: [[Int]], topK: Int = 10) throws -> TestPromptResult {
        guard !promptTokens.isEmpty, !answerTokens.isEmpty, answerTokens.allSatisfy({ !$0.isEmpty }) else {
            throw LensError.invalidArgument("testPrompt: the prompt and every answer must have at least one token")
        }
        let text: (Int) -> String = { id in self.tokenizer?.toString([id]) ?? String(id) }
        let answers = answerTokens.count > 1 ? answerTokens.map { [$0[0]] } : answerTokens
        let rows = answers.map { promptTokens + $0 }
        let logits = try self(Tensor(ints: rows.flatMap { $0 }, shape: [rows.count, rows[0].count]))
        let probabilities = logits.softmax(axis: -1)
        var positions: [TestPromptResult.Position] = []
        for offset in 0..<answers[0].count {
            let index = promptTokens.count + offset - 1
            var scoredAnswers: [TestPromptResult.Scored] = [], top: [TestPromptResult.Scored] = []
            for (row, ids) in answers.enumerated() {
                let (l, p) = (logits[row, index].scalars, probabilities[row, index].scalars)
                let order = probabilities[row, index].argsort(axis: -1, descending: true).intScalars
                var rank = [Int](repeating: 0, count: order.count)
                for (r, token) in order.enumerated() { rank[token] = r }
                func scored(_ token: Int) -> TestPromptResult.Scored {
                    .init(token: token, text: text(token), logit: l[token], probability: p[token], rank: rank[token])
                }
                scoredAnswers.append(scored(ids[offset]))
                if row == 0 { top = order.prefix(topK).map(scored) }
            }
            positions.append(.init(answers: scoredAnswers, top: top))
        }
        return TestPromptResult(promptTokens: promptTokens.map(text), answerTokens: answerTokens.map { $0.map(text) },
                                positions: positions)
    }
}
