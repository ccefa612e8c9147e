/// The readable summary `lens demo` prints.
extension DemoFindings {
    /// What the model predicts (✓ only when the answer is the top prediction, else ✗ with the answer's rank),
    /// where patching
    /// concentrates, the top heads and the best induction head.
    public var summary: String {
        var lines = ["SwiftLens demo · \(modelName) (\(modelDescription))", "", "What the model predicts"]
        let width = behaviours.map(\.promptCase.task.count).max() ?? 0
        for b in behaviours {
            let mark = b.predictsAnswer ? "✓" : "✗"
            let p = b.prediction
            var line = "  \(mark) \(b.promptCase.task.padding(toLength: width, withPad: " ", startingAt: 0))  "
                + "\"\(b.promptCase.prompt)\" → \(quoted(p.top.first?.token ?? "")) (\(fmt(p.top.first?.probability ?? 0, 2)))"
            if !b.predictsAnswer { line += "; \(quoted(b.promptCase.answer)) has rank \(p.answerRank)" }
            if let wrong = b.promptCase.wrong { line += "; vs \(quoted(wrong)) \(signed(b.logitDiff))" }
            lines.append(line)
        }
        lines.append("  induction: repeated random tokens, next-token loss \(fmt(heads.lossFirstHalf, 2)) on the first "
                     + "half, \(fmt(heads.lossSecondHalf, 2)) on the repeat (top-1 accuracy \(fmt(heads.accuracySecondHalf, 2)))")
        for analysis in analyses {
            lines += ["", "\(analysis.promptCase.task): \(analysis.headline)"] + analysis.summaryLines
        }
        let induction = heads.bestInductionHead, previous = heads.bestPreviousTokenHead
        lines += ["", "Head detector (\(heads.batch) × \(heads.length) repeated random tokens)",
                  "  best induction head      \(induction.head): induction score \(fmt(induction.score, 2)) "
                    + "(attention spread evenly over the prefix scores \(fmt(heads.uniformInductionScore, 2)))",
                  "  best previous-token head \(previous.head): score \(fmt(previous.score, 2))"]
        if let features { lines += [""] + features.summaryLines }
        return lines.joined(separator: "\n")
    }
}
