/// The pictures of a `PromptAnalysis` and of a `HeadScan` as report sections.
extension PromptAnalysis {
    /// A report section: prediction, logit lens, direct logit attribution, activation patching and the
    /// attention of the top heads, each with a caption saying how to read it.
    public func reportSection(title: String? = nil) -> ReportSection {
        var section = ReportSection(title ?? "\(promptCase.task): \(promptCase.prompt) → \(promptCase.answer)")
        section.paragraph("Prompt `\(promptCase.prompt)`, answer `\(promptCase.answer)`"
                          + (promptCase.wrong.map { ", wrong answer `\($0)`" } ?? "")
                          + (promptCase.corrupted.map { ", corrupted prompt `\($0)`" } ?? "") + ".")
        section.list(summaryLines.map { $0.trimmingLeadingSpaces })
        addLogitLens(to: &section)
        addAttribution(to: &section)
        addPatching(to: &section)
        if !attention.isEmpty {
            section.heading("Attention of the top heads")
            section.figure(AttentionViewer(tokens: tokens, heads: attention.map { .init($0.head.description, pattern: $0.pattern) }),
                           caption: "Each row is a destination token, each column a source token; hover for the weight.")
        }
        return section
    }

    private var layerLabels: AxisLabels {
        .plain((0..<attribution.headValues.count).map { "L\($0)" })
    }

    private var headLabels: AxisLabels {
        .plain((0..<(attribution.headValues.first?.count ?? 0)).map { "H\($0)" })
    }

    private func addLogitLens(to section: inout ReportSection) {
        section.heading("Logit lens")
        let labels = AxisLabels.plain(logitLens.rows.map(\.label))
        section.figure(LinePlot(series: [LinePlot.Series("p(\(promptCase.answer))", logitLens.rows.map(\.answerProbability))],
                                x: labels, title: "Probability of the answer at each layer", xTitle: "residual stream",
                                yTitle: "probability", yRange: 0...1, plotHeight: 220),
                       caption: "Each accumulated residual stream, normalised by the final layer norm and unembedded.")
        section.figure(Heatmap(logitLens.topProbabilities, x: .tokens(tokens), y: labels,
                               title: "Top prediction at every layer and position", xTitle: "position",
                               yTitle: "residual stream", colors: ColorMapping(scale: .blues, lower: 0, upper: 1),
                               colorBarTitle: "p(top)", cellLabels: logitLens.topTokens.map { $0.map(TokenDisplay.label) }),
                       caption: "Cell text: the most likely next token; colour: its probability.")
    }

    private func addAttribution(to section: inout ReportSection) {
        section.heading("Direct logit attribution")
        section.figure(BarChart(attribution.layerValues, labels: .plain(attribution.layerLabels),
                                title: "Attribution by sublayer", valueTitle: metricName),
                       caption: "What each sublayer writes along the answer's unembedding direction at the last position.")
        section.figure(Heatmap(attribution.headValues, x: headLabels, y: layerLabels, title: "Attribution by head",
                               xTitle: "head", yTitle: "layer", showValues: true),
                       caption: "Blue heads push towards the answer, red heads away from it.")
    }

    private func addPatching(to section: inout ReportSection) {
        guard let patching else { return }
        section.heading("Activation patching")
        section.paragraph("Clean activations patched into the corrupted run; 1 = the clean \(metricName) "
                          + "(\(fmt(patching.cleanMetric, 2))), 0 = the corrupted one (\(fmt(patching.corruptedMetric, 2))).")
        section.figure(Heatmap(patching.residPre, x: .tokens(tokens), y: layerLabels, title: "Residual stream (resid_pre)",
                               xTitle: "position", yTitle: "layer", showValues: true),
                       caption: "Where the information that decides the answer sits, layer by layer.")
        section.figure(Heatmap(patching.heads, x: headLabels, y: layerLabels, title: "Head outputs (z, all positions)",
                               xTitle: "head", yTitle: "layer", showValues: true),
                       caption: "How much of the behaviour each head's output restores on its own.")
    }
}

extension HeadScan {
    /// A report section: next-token loss on the repeated tokens, the detector scores of every head and the
    /// attention of chosen heads on a short repeated sequence (`example`).
    public func reportSection(example: InductionExample? = nil) -> ReportSection {
        var section = ReportSection("Induction and the head detector")
        section.paragraph("\(batch) sequences of BOS + \(length) random tokens written twice. An induction head attends "
                          + "from a token to the token after its earlier occurrence and so predicts the repeat.")
        section.figure(LinePlot(lossByPosition, x: .indices(lossByPosition.count), title: "Next-token loss by position",
                                xTitle: "position", yTitle: "loss"),
                       caption: "Loss \(fmt(lossFirstHalf, 2)) on the first half, \(fmt(lossSecondHalf, 2)) on the repeat.")
        let layers = AxisLabels.plain((0..<inductionStripe.count).map { "L\($0)" })
        let heads = AxisLabels.plain((0..<(inductionStripe.first?.count ?? 0)).map { "H\($0)" })
        let unit = ColorMapping(scale: .blues, lower: 0, upper: 1)
        for (name, scores) in [("Induction score (stripe)", inductionStripe), ("Previous-token score", previousToken),
                               ("Duplicate-token score", duplicateToken), ("Induction score (detect_head)", induction)] {
            section.figure(Heatmap(scores, x: heads, y: layers, title: name, xTitle: "head", yTitle: "layer", colors: unit,
                                   showValues: true))
        }
        if let example, !example.patterns.isEmpty {
            section.figure(AttentionViewer(tokens: example.tokens,
                                           heads: example.patterns.map { .init($0.head.description, pattern: $0.pattern) },
                                           title: "Best induction and previous-token heads on a repeated sequence"),
                           caption: "An induction head shows a stripe one step right of the diagonal offset by the "
                           + "sequence length; a previous-token head the diagonal just below the main one.")
        }
        return section
    }
}

extension String {
    /// The string without its leading spaces.
    var trimmingLeadingSpaces: String { String(drop { $0 == " " }) }
}
