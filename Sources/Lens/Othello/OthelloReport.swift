/// The printed summary and the HTML report of an `OthelloStudy`.
extension OthelloStudy {
    /// Short findings, one analysis per paragraph.
    public var summary: String {
        var lines = ["Othello-GPT · \(modelName)", "",
                     "Legal moves: the top prediction is legal at \(fmt(legalMoveAccuracy * 100, 2))% of the positions "
                        + "of \(testGames) random games", "",
                     "Board probes on resid_post (\(probeMethod), fitted on \(trainGames) games, scored on "
                        + "\(testGames)): share of squares read correctly",
                     "  layer   blank  theirs   mine  overall"]
        for p in probes {
            let a = p.accuracy
            lines.append("  \(String(p.layer).padding(toLength: 5, withPad: " ", startingAt: 0)) "
                         + [a.blank, a.theirs, a.mine, a.overall].map { pad(fmt($0, 3), 7) }.joined(separator: " "))
        }
        lines += ["", "The later analyses use the probe of layer \(probeLayer) (best at telling mine from theirs).",
                  "Focus: test game \(focusGame) after move \(focusMove); legal next: \(focusLegal.joined(separator: " "))",
                  "  squares the probe reads wrong there: \(focusErrors)",
                  "  largest write to the mine directions: " + largestWriter(attentionToMine, mlpToMine),
                  "  largest write to the blank directions: " + largestWriter(attentionToBlank, mlpToBlank), "",
                  "Neurons of layer \(neuronLayer) (a random direction has \(fmt(Float(mineSpanRank) / Float(dModel), 2)) of "
                    + "its length in the \(mineSpanRank)-dimensional span of the mine directions)"]
        for (title, list) in [("standard deviation", topByStd), ("kurtosis", topByKurtosis)] {
            lines.append("  top by \(title) (score; share of input / output weights in the mine span):")
            lines += list.prefix(5).map { n in
                "    \(n.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(pad(fmt(n.score, 2), 8))   \(fmt(n.inputInMineSpan, 2)) / \(fmt(n.outputInMineSpan, 2))"
                    + "   output closest to the unembedding of \(n.topUnembedSquare)"
            }
        }
        let p = patching
        lines += ["", "Patching at the final move: game \(p.game) move \(p.move) played \(p.cleanMove), corrupted to "
                    + "\(p.corruptedMove), which makes \(p.target) illegal (log p \(fmt(p.cleanLogProb, 2)) → "
                    + "\(fmt(p.corruptedLogProb, 2)))",
                  "  attn_out: " + p.attention.map { fmt($0, 2) }.joined(separator: " "),
                  "  mlp_out:  " + p.mlp.map { fmt($0, 2) }.joined(separator: " ")]
        return lines.joined(separator: "\n")
    }

    /// Labels of the focus squares whose probe class differs from the truth.
    private var focusErrors: String {
        let predicted = focusPrediction.flatMap { $0 }, truth = focusState.flatMap { $0 }
        let wrong = (0..<64).filter { (square: Int) -> Bool in predicted[square] != truth[square] }
        return wrong.isEmpty ? "none" : wrong.map(OthelloSquares.label).joined(separator: " ")
    }

    /// "MLP 3 (sum |·| 4.2)": the sublayer with the largest total absolute projection.
    private func largestWriter(_ attention: [[[Float]]], _ mlp: [[[Float]]]) -> String {
        func total(_ board: [[Float]]) -> Float { board.flatMap { $0 }.reduce(0) { $0 + Swift.abs($1) } }
        let candidates = attention.indices.map { ("attn \($0)", total(attention[$0])) } + mlp.indices.map { ("MLP \($0)", total(mlp[$0])) }
        let best = candidates.max { $0.1 < $1.1 } ?? ("none", 0)
        return "\(best.0) (sum of |projection| \(fmt(best.1, 2)))"
    }

    private func pad(_ text: String, _ width: Int) -> String {
        String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    /// The HTML report: probes, the focus position, contributions, neurons and patching.
    public func report() -> HTMLReport {
        var report = HTMLReport(title: "Othello-GPT", subtitle: modelName)
        report.paragraph("The Othello-GPT tutorial's analyses on this model: linear probes of the board relative to the "
                         + "player to move, which layers write it, what the most varied neurons read and write, and "
                         + "patching at the final move.")
        report.preformatted(summary)
        report.add(probeSection())
        report.add(focusSection())
        report.add(neuronSection(title: "Top neurons of layer \(neuronLayer) by standard deviation", topByStd))
        report.add(neuronSection(title: "Top neurons of layer \(neuronLayer) by kurtosis", topByKurtosis))
        report.add(patchingSection())
        return report
    }

    private func probeSection() -> ReportSection {
        var section = ReportSection("Board probes by layer")
        let layers = AxisLabels.plain(probes.map { "L\($0.layer)" })
        section.figure(GroupedBarChart(series: [
            .init("blank", probes.map(\.accuracy.blank)), .init("theirs", probes.map(\.accuracy.theirs)),
            .init("mine", probes.map(\.accuracy.mine)),
        ], categories: layers, title: "Probe accuracy on resid_post", xTitle: "layer", yTitle: "share read correctly",
                       yRange: 0...1),
                       caption: "For each true class, the share of squares of \(testGames) held-out games the probe "
                        + "reads correctly. Legal-move accuracy of the model: \(fmt(legalMoveAccuracy, 4)).")
        return section
    }

    private func focusSection() -> ReportSection {
        var section = ReportSection("The focus position and what writes it")
        let legal = OthelloPlots.legalText(focusLegal)
        section.figure(OthelloPlots.boards([OthelloPlots.signedClasses(focusState), OthelloPlots.signedClasses(focusPrediction)],
                                           titles: ["True board", "Probe at layer \(probeLayer)"], text: [legal, legal],
                                           title: "Test game \(focusGame) after move \(focusMove)",
                                           colors: ColorMapping.diverging([1])),
                       caption: "Blue: the player to move (mine); red: the opponent (theirs); o: a legal next move.")
        let titles = (0..<mlpToMine.count).map { "Layer \($0)" }
        for (name, attention, mlp, residual) in [("mine vs theirs", attentionToMine, mlpToMine, residualOnMine),
                                                 ("blank", attentionToBlank, mlpToBlank, residualOnBlank)] {
            section.heading("Contributions to the \(name) directions")
            section.figure(OthelloPlots.boards(mlp, titles: titles, title: "MLP contributions to \(name)", columns: 7),
                           caption: "mlp_out of each layer at the focus position, projected on each square's normalised probe direction.")
            section.figure(OthelloPlots.boards(attention, titles: titles, title: "Attention contributions to \(name)", columns: 7),
                           caption: "attn_out of each layer, projected the same way.")
            section.figure(OthelloPlots.boards(residual, titles: titles, title: "Residual stream on \(name)", columns: 7),
                           caption: "The accumulated residual stream after each layer (resid_post), projected the same way.")
        }
        section.figure(ScatterPlot(neuronStats.enumerated().map { k, n in
            .init(x: n.std, y: n.kurtosis, label: "L\(neuronLayer)N\(k)", value: n.outputInMineSpan)
        }, title: "Neurons of layer \(neuronLayer): spread against tails", xTitle: "standard deviation", yTitle: "kurtosis",
                       colors: ColorMapping(scale: .blues, lower: 0, upper: 1), colorBarTitle: "output in mine span"),
                       caption: "Each point a neuron; colour: the share of its output weights in the span of the mine "
                        + "directions (a random direction: \(fmt(Float(mineSpanRank) / Float(dModel), 2))).")
        return section
    }

    private func neuronSection(title: String, _ neurons: [Neuron]) -> ReportSection {
        var section = ReportSection(title)
        let names = neurons.map(\.name)
        section.figure(OthelloPlots.boards(neurons.map(\.inputBlank), titles: names, title: "Input weights · blank directions"),
                       caption: "Cosine similarity of each neuron's input weights with each square's blank direction.")
        section.figure(OthelloPlots.boards(neurons.map(\.inputMine), titles: names, title: "Input weights · mine directions"))
        section.figure(OthelloPlots.boards(neurons.map(\.outputBlank), titles: names, title: "Output weights · blank directions"))
        section.figure(OthelloPlots.boards(neurons.map(\.outputMine), titles: names, title: "Output weights · mine directions"))
        section.figure(OthelloPlots.boards(neurons.map(\.unembed), titles: names, title: "Output weights · unembedding"),
                       caption: "Direct logit attribution: cosine similarity of the output weights with each square's "
                        + "unembedding (pass left out).")
        section.table(headers: ["neuron", "score", "input in mine span", "output in mine span"],
                      rows: neurons.map { [$0.name, fmt($0.score, 3), fmt($0.inputInMineSpan, 3), fmt($0.outputInMineSpan, 3)] },
                      caption: "Share of the normalised weights inside the span of the mine directions "
                        + "(\(mineSpanRank) of \(dModel) dimensions).")
        return section
    }

    private func patchingSection() -> ReportSection {
        var section = ReportSection("Patching at the final move")
        let p = patching
        section.paragraph("Game \(p.game) cut after move \(p.move): the clean game plays \(p.cleanMove), the corrupted one "
                          + "\(p.corruptedMove), which makes \(p.target) illegal. Metric: the log-probability of "
                          + "\(p.target) at the final position, 1 = clean (\(fmt(p.cleanLogProb, 2))), 0 = corrupted "
                          + "(\(fmt(p.corruptedLogProb, 2))).")
        section.figure(GroupedBarChart(series: [.init("attn_out", p.attention), .init("mlp_out", p.mlp)],
                                       categories: .plain((0..<p.mlp.count).map { "L\($0)" }),
                                       title: "Patching the final position of each layer's output", xTitle: "layer",
                                       yTitle: "normalised log p(\(p.target))"),
                       caption: "Clean attn_out / mlp_out at the final position patched into the corrupted run.")
        return section
    }
}
