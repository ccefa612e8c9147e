/// The self-contained HTML report of `lens demo`.
extension DemoFindings {
    /// The report: the summary, the behaviour table, one section per analysed task and the head detector.
    public func report() -> HTMLReport {
        var report = HTMLReport(title: "SwiftLens demo", subtitle: "\(modelName) · \(modelDescription)")
        report.paragraph("A first look inside a small transformer that ships with the repository: what it predicts, "
                         + "where in its layers and positions the answer is decided, and which heads do it.")
        report.preformatted(summary)
        report.section("What the model predicts")
        report.table(headers: ["", "task", "prompt", "answer", "rank", "p(answer)", "top prediction", "logit diff",
                               "corrupted logit diff"],
                     rows: behaviours.map { b in
                         let p = b.prediction
                         return [b.predictsAnswer ? "✓" : "✗", b.promptCase.task, b.promptCase.prompt,
                                 TokenDisplay.label(b.promptCase.answer),
                                 String(p.answerRank), fmt(p.answerProbability, 3),
                                 TokenDisplay.label(p.top.first?.token ?? ""), fmt(b.logitDiff, 2),
                                 fmt(b.corruptedLogitDiff, 2)]
                     },
                     caption: "✓: the answer is the top prediction (rank 0); ✗ otherwise, whatever the logit diff. "
                        + "Logit diff = logit(answer) − logit(wrong answer) at the last position; on the corrupted "
                        + "prompt the wrong answer is the right one, so it should be negative.")
        for analysis in analyses { report.add(analysis.reportSection()) }
        report.add(heads.reportSection(example: inductionExample))
        if let features { report.add(features.reportSection()) }
        return report
    }
}
