import Foundation

/// The pictures of a `PromptAnalysis` and of a `HeadScan` as report sections.
extension PromptAnalysis {
    /// A report section: prediction, logit lens, direct logit attribution, activation patching and the
    /// attention of the heads with the largest |attribution| and of those whose patch restores the most, each
    /// with a caption saying how to read it.
    public func reportSection(title: String? = nil) -> ReportSection {
        let answer = promptCase.answer.trimmingCharacters(in: .whitespaces)
        var section = ReportSection(title ?? "\(promptCase.task): \(promptCase.prompt) → \(answer)")
        section.paragraph("Prompt `\(promptCase.prompt)`, answer `\(promptCase.answer)`"
                          + (promptCase.wrong.map { ", wrong answer `\($0)`" } ?? "")
                          + (promptCase.corrupted.map { ", corrupted prompt `\($0)`" } ?? "") + ".")
        section.list(summaryItems.map { "\($0.step): \($0.text)" })
        addLogitLens(to: &section)
        addAttribution(to: &section)
        addPatching(to: &section)
        let shown = [("Heads with the largest |direct logit attribution|", headsByAttribution,
                      "The \(headsByAttribution.count) heads whose output has the largest attribution in absolute value "
                        + "(Attribution by head), largest first."),
                     ("Heads whose patching restores the most", headsByPatching,
                      "The \(headsByPatching.count) heads whose output (hook_z, all positions) patched from the clean run "
                        + "restores the largest share of the clean \(metricName), largest first.")]
        for (title, heads, rule) in shown where !heads.isEmpty {
            section.heading(title)
            section.figure(AttentionViewer(tokens: tokens, heads: heads.map { .init($0.head.description, pattern: $0.pattern) }),
                           caption: rule + " Each row is a destination token, each column a source token; hover for the weight.")
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
        section.figure(LinePlot(series: [LinePlot.Series("p('\(promptCase.answer)')", logitLens.rows.map(\.answerProbability))],
                                x: labels, title: "Probability of the answer at each layer", xTitle: "residual stream",
                                yTitle: "probability", yRange: 0...1, plotHeight: 220),
                       caption: "Each accumulated residual stream, normalised by the final layer norm and unembedded.")
        let differences = logitLens.rows.compactMap(\.logitDiff)
        if differences.count == logitLens.rows.count {
            section.figure(LinePlot(series: [LinePlot.Series(metricName, differences,
                                                             hoverNames: logitLens.rows.map { "top: \(quoted($0.topToken))" })],
                                    x: labels, title: "Logit difference at each layer", xTitle: "residual stream",
                                    yTitle: "logit difference", plotHeight: 220),
                           caption: "\(metricName) read off each accumulated residual stream the same way; hover for the "
                            + "top prediction there.")
        }
        section.figure(Heatmap(logitLens.topProbabilities, x: .tokens(tokens), y: labels,
                               title: "Top prediction at every layer and position", xTitle: "position",
                               yTitle: "residual stream", colors: ColorMapping(scale: .blues, lower: 0, upper: 1),
                               colorBarTitle: "p(top)", cellLabels: logitLens.topTokens.map { $0.map(TokenDisplay.label) }),
                       caption: "Cell text: the most likely next token; colour: its probability.")
    }

    private func addAttribution(to section: inout ReportSection) {
        section.heading("Direct logit attribution")
        let direction = promptCase.wrong == nil ? "the answer's unembedding direction W_U[:, answer]"
            : "W_U[:, answer] − W_U[:, wrong], the direction of the logit difference,"
        section.figure(BarChart(attribution.layerValues, labels: .plain(attribution.layerLabels),
                                title: "Attribution by sublayer", valueTitle: metricName),
                       caption: "\(metricName): what each sublayer writes along \(direction) at the last position "
                        + "(through the final layer norm's scale); the bars add up to the metric.")
        section.figure(Heatmap(attribution.headValues, x: headLabels, y: layerLabels, title: "Attribution by head",
                               xTitle: "head", yTitle: "layer", cellLabels: valueLabels(attribution.headValues)),
                       caption: "Each head's share of \(metricName): blue heads push towards the answer"
                        + (promptCase.wrong == nil ? "" : " and away from the wrong answer") + ", red heads the other way.")
    }

    private func addPatching(to section: inout ReportSection) {
        guard let patching else { return }
        section.heading("Activation patching")
        section.paragraph("Clean activations patched into the corrupted run; 1 = the clean \(metricName) "
                          + "(\(fmt(patching.cleanMetric, 2))), 0 = the corrupted one (\(fmt(patching.corruptedMetric, 2))).")
        section.figure(Heatmap(patching.residPre, x: .tokens(tokens), y: layerLabels, title: "Residual stream (resid_pre)",
                               xTitle: "position", yTitle: "layer", cellLabels: valueLabels(patching.residPre)),
                       caption: "Where the information that decides the answer sits, layer by layer.")
        for (name, grid) in [("attn_out", patching.attnOut), ("mlp_out", patching.mlpOut)] {
            section.figure(Heatmap(grid, x: .tokens(tokens), y: layerLabels, title: "Attention and MLP outputs: \(name)",
                                   xTitle: "position", yTitle: "layer", cellLabels: valueLabels(grid)),
                           caption: "Each layer's \(name) patched at one position: which sublayers at which positions carry the difference.")
        }
        section.figure(Heatmap(patching.heads, x: headLabels, y: layerLabels, title: "Head outputs (z, all positions)",
                               xTitle: "head", yTitle: "layer", cellLabels: valueLabels(patching.heads)),
                       caption: "How much of the behaviour each head's output restores on its own.")
        let perLayer = patching.headsByPosition.enumerated().map { layer, grid in
            HeatmapGrid.Panel("L\(layer)", values: (0..<(grid.first?.count ?? 0)).map { h in grid.map { $0[h] } })
        }
        section.figure(HeatmapGrid(perLayer, x: .tokens(tokens), y: headLabels, title: "Head outputs by position (z)",
                                   xTitle: "position", yTitle: "head", columns: 1, panelSize: 520),
                       caption: "One head's output patched at one position; one panel per layer, one colour scale.")
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
        let kinds = [("induction", inductionStripe), ("previous token", previousToken),
                     ("duplicate token", duplicateToken), ("induction (mul)", induction)]
        let all = inductionStripe.indices.flatMap { l in inductionStripe[l].indices.map { AttentionHead(layer: l, head: $0) } }
        let strongest = { (h: AttentionHead) in kinds.map { $0.1[h.layer][h.head] }.max() ?? 0 }
        let shown = all.count <= 16 ? all : AttentionHead.top(16, of: inductionStripe.indices.map { l in
            inductionStripe[l].indices.map { strongest(AttentionHead(layer: l, head: $0)) }
        })
        let grid = shown.map { h in kinds.map { $0.1[h.layer][h.head] } }
        section.figure(Heatmap(grid, x: .plain(kinds.map(\.0)), y: .plain(shown.map(\.description)),
                               title: "Head detector scores" + (all.count > 16 ? " (the 16 strongest heads)" : ""),
                               xTitle: "score", yTitle: "head", colors: ColorMapping(scale: .blues, lower: 0, upper: 1),
                               cellLabels: valueLabels(grid)),
                       caption: "induction: the mean attention from a repeated token to the token after its earlier "
                       + "occurrence (the tutorials' score; attention spread evenly over the prefix scores "
                       + "\(fmt(uniformInductionScore, 3))). The other columns are detect_head's share of each head's "
                       + "attention on the expected tokens (the previous token, earlier copies, the induction target).")
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

/// Each value with two decimals, for heatmap cells (`-0.00` shown as `0.00`).
func valueLabels(_ values: [[Float]]) -> [[String]] {
    values.map { $0.map { fmt($0, 2) == "-0.00" ? "0.00" : fmt($0, 2) } }
}
