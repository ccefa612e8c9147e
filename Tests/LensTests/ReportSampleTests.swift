import Foundation
import Lens
import Testing

/// A sample report exercising every figure type with synthetic data shaped like the demo's
/// analyses. Set LENS_SAMPLE_REPORT=/path/report.html to also save it, then render it with
/// `Scripts/render_report.sh /path/report.html /path/report.png` to look at it.
enum ReportSample {
    static let tokens = ["<|endoftext|>", "The", "ĠE", "iff", "el", "ĠTower", "Ġis", "Ġlocated", "Ġin", "Ġthe",
                         "Ġcity", "Ġof"]

    /// Deterministic smooth pseudo-data in about -1...1.
    static func wave(_ i: Int, _ j: Int, _ k: Int = 0) -> Float {
        Float(sin(Double(i) * 0.9 + Double(k)) * cos(Double(j) * 0.7 - Double(k) * 0.3))
    }

    static func residualPatching() -> Heatmap {
        let layers = 6
        let values: [[Float]] = (0..<layers).map { l in
            tokens.indices.map { p in
                if p == 5 { return Float(layers - l) / Float(layers) * 2.4 }
                if p == tokens.count - 1 { return Float(l) / Float(layers) * 2.1 }
                return wave(l, p) * 0.35
            }
        }
        return Heatmap(values, x: .tokens(tokens), y: .plain((0..<layers).map { "L\($0)" }),
                       title: "Activation patching: residual stream (logit difference recovered)",
                       xTitle: "position", yTitle: "layer")
    }

    static func headAttribution() -> Heatmap {
        let values: [[Float]] = (0..<4).map { l in (0..<6).map { h in wave(l, h, 2) * 3.2 } }
        return Heatmap(values, x: .plain((0..<6).map { "H\($0)" }), y: .plain((0..<4).map { "L\($0)" }),
                       title: "Direct logit attribution by head", xTitle: "head", yTitle: "layer",
                       colorBarTitle: "logit diff", showValues: true)
    }

    /// Probability of the top token per layer and position, labelled with that token.
    static func topTokens() -> Heatmap {
        let positions = Array(tokens.suffix(6))
        let guesses = ["Ġthe", "Ġa", "Ġnear", "ĠParis", "ĠFrance", "Ġcity"]
        let probs: [[Float]] = (0..<6).map { l in
            (0..<6).map { p -> Float in
                let depth = Float(l + 1) / 7
                return depth * (0.5 + Float((p * 3 + l) % 4) / 6)
            }
        }
        let labels = (0..<6).map { l in (0..<6).map { p in TokenDisplay.label(guesses[(l * 2 + p) % guesses.count]) } }
        return Heatmap(probs, x: .tokens(positions), y: .plain((0..<6).map { "L\($0)" }),
                       title: "Logit lens: top token and its probability", xTitle: "position", yTitle: "layer",
                       colors: ColorMapping(scale: .blues, lower: 0, upper: 1), colorBarTitle: "probability",
                       cellLabels: labels)
    }

    static func logitLens() -> LinePlot {
        let layers = ["embed"] + (0..<6).map { "L\($0)" }
        let answer: [Float] = [0.1, 0.3, 0.8, 2.5, 4.1, 6.3, 7.9]
        let distractor: [Float] = [0.2, 0.4, 0.9, 1.1, 0.7, -0.4, -1.2]
        return LinePlot(series: [.init("logit ␣Paris", answer), .init("logit ␣Rome", distractor),
                                 .init("difference", zip(answer, distractor).map { $0 - $1 })],
                        x: .plain(layers), title: "Logit lens: answer logit by layer",
                        xTitle: "layer (resid_post)", yTitle: "logit")
    }

    static func scatter() -> ScatterPlot {
        let points = (0..<24).map { k in
            let dla = Float(sin(Double(k) * 2.3)) * (k % 6 == 2 ? 2.5 : 0.8)
            let patch = dla * 0.8 + Float(cos(Double(k) * 1.7)) * 0.3
            return ScatterPlot.Point(x: dla, y: patch, label: "L\(k / 6)H\(k % 6)",
                                     group: k % 6 == 2 ? "name movers" : "other heads")
        }
        return ScatterPlot(points, title: "Direct attribution vs patching effect per head",
                           xTitle: "direct logit attribution", yTitle: "patching effect", showLabels: true)
    }

    static func layerBars() -> BarChart {
        let labels = ["embed", "pos_embed"] + (0..<6).flatMap { ["L\($0) attn", "L\($0) mlp"] }
        let values = labels.indices.map { k in wave(k, 2, 1) * (k > 9 ? 3 : 1) }
        return BarChart(values, labels: .plain(labels), title: "Direct logit attribution by component",
                        valueTitle: "logit difference")
    }

    static func tokenBars() -> BarChart {
        let top = ["ĠParis", "ĠLondon", "Ġthe", "<|endoftext|>", "Ċ", "Ġ\"&'<x>", "ĠRome", "ĠFrance"]
        let values: [Float] = [8.2, 3.1, 1.4, -0.6, -1.9, -2.4, 2.2, 1.7]
        return BarChart(values, labels: .tokens(top), orientation: .vertical, title: "Top logits at the last position",
                        valueTitle: "logit", labelTitle: "token")
    }

    /// BOS, 8 "random" tokens, then the same 8 again: a previous-token head, an induction head,
    /// and a head resting on BOS.
    static func attention() -> AttentionViewer {
        let random = ["Ġcarpet", "Ġorbit", "Ġ42", "Ġmaple", "Ġfig", "Ġquartz", "Ġlantern", "Ġvelvet"]
        let toks = ["<|endoftext|>"] + random + random
        let n = toks.count
        func normalized(_ row: [Float]) -> [Float] {
            let s = row.reduce(0, +)
            return row.map { $0 / s }
        }
        func pattern(_ weight: (Int, Int) -> Float) -> [[Float]] {
            (0..<n).map { d in normalized((0..<n).map { s in s <= d ? weight(d, s) : 0 }) }
        }
        let previous = pattern { d, s in s == d - 1 ? 9 : (s == 0 ? 1 : 0.05) }
        let induction = pattern { d, s in d > 8 && s == d - 7 ? 12 : (s == 0 ? 2 : 0.1) }
        let bos = pattern { d, s in s == 0 ? 6 : 0.3 + 0.2 * Float((d + s) % 3) }
        return AttentionViewer(tokens: toks, heads: [.init("L0H3 previous token", pattern: previous),
                                                     .init("L1H4 induction", pattern: induction),
                                                     .init("L1H0 BOS", pattern: bos)],
                               title: "Attention patterns on a repeated random sequence")
    }

    /// Three 8x8 boards on one scale with a mark on some squares (`plot_board_values` with `board_titles`).
    static func boards() -> HeatmapGrid {
        let panels = (0..<3).map { k in
            HeatmapGrid.Panel("Layer \(k)", values: (0..<8).map { r in (0..<8).map { c in wave(r, c, k) * Float(k + 1) } },
                              cellLabels: (0..<8).map { r in (0..<8).map { c in (r + c + k) % 9 == 0 ? "o" : "" } })
        }
        return HeatmapGrid(panels, x: .indices(8), y: .plain(["A", "B", "C", "D", "E", "F", "G", "H"]),
                           title: "Probe direction · MLP output by layer", colorBarTitle: "cosine")
    }

    /// Patching effect of attention and MLP outputs per layer.
    static func groupedBars() -> GroupedBarChart {
        GroupedBarChart(series: [.init("attn_out", (0..<6).map { wave($0, 1) }), .init("mlp_out", (0..<6).map { wave($0, 3, 1) })],
                        categories: .plain((0..<6).map { "L\($0)" }), title: "Patching the final position",
                        xTitle: "layer", yTitle: "normalised metric")
    }

    /// Neurons by spread and tails, coloured by a share, on fixed axis ranges (one point falls outside).
    static func colouredScatter() -> ScatterPlot {
        let points = (0..<60).map { (k: Int) -> ScatterPlot.Point in
            let x = 0.2 + Float(k % 12) * 0.07, y = Float((k * 7) % 23) - 2
            return ScatterPlot.Point(x: x, y: y, label: "L3N\(k)", value: Float(k % 10) / 9)
        }
        return ScatterPlot(points + [.init(x: 5, y: 5, label: "outside", value: 0)], title: "Neurons: spread against tails",
                           xTitle: "standard deviation", yTitle: "kurtosis", xRange: 0...1.2, yRange: -5...25,
                           colors: ColorMapping(scale: .blues, lower: 0, upper: 1), colorBarTitle: "share in span")
    }

    /// A line whose points hover with their token.
    static func namedLine() -> LinePlot {
        let values = tokens.indices.map { wave($0, 2) * 3 }
        return LinePlot(series: [.init("logit diff", values, hoverNames: tokens)], x: .tokens(tokens),
                        title: "Logit difference by position (hover: the token)")
    }

    static func report() -> HTMLReport {
        var report = HTMLReport(title: "SwiftLens sample report",
                                subtitle: "Synthetic data shaped like `lens demo` output")
        report.paragraph("Prompt: `The Eiffel Tower is located in the city of` -> answer ` Paris`.")
        report.section("Activation patching")
        report.figure(residualPatching(), caption: "Blue: patching restores the clean answer; red: it hurts.")
        report.section("Attention")
        report.figure(attention(), caption: "Hover a cell for destination -> source and the weight.")
        report.preformatted("induction score L1H4 = 0.93\nprevious-token score L0H3 = 0.88")
        report.section("Logit lens")
        report.figure(logitLens())
        report.figure(topTokens())
        report.section("Direct logit attribution")
        report.figure(headAttribution())
        report.figure(layerBars())
        report.figure(tokenBars())
        report.figure(scatter())
        report.section("Figure grids and series")
        report.figure(boards(), caption: "One colour scale over the three boards; o marks a square.")
        report.figure(groupedBars())
        report.figure(colouredScatter(), caption: "The point at (5, 5) lies outside the axis ranges and is not drawn.")
        report.figure(namedLine())
        report.table(headers: ["head", "logit diff", "note"],
                     rows: [["L3H2", "2.431", "name mover <b>"], ["L2H5", "-1.07", "negative & quoted \"x\""]])
        return report
    }
}

@Suite struct ReportSampleTests {
    @Test func sampleReportIsWellFormedAndSavedOnRequest() throws {
        let html = ReportSample.report().html()
        #expect(ReportXML.parse(html) == nil)
        if let path = ProcessInfo.processInfo.environment["LENS_SAMPLE_REPORT"] {
            try ReportSample.report().write(toPath: path)
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }
}

/// Large and degenerate inputs, to check layout at the extremes (saved with the sample when
/// LENS_SAMPLE_REPORT is set, as a second file with suffix "-edge.html").
enum ReportEdgeSample {
    static func report() -> HTMLReport {
        let n = 40
        let toks = (0..<n).map { k in k == 0 ? "<|endoftext|>" : (k % 7 == 3 ? "Ġextraordinarily_long_piece" : "Ġtok\(k)") }
        var report = HTMLReport(title: "Edge cases")
        report.section("Large")
        let big: [[Float]] = (0..<12).map { l in (0..<n).map { p in Float(sin(Double(l * n + p) * 0.37)) * Float(l + 1) } }
        report.figure(Heatmap(big, x: .tokens(toks), y: .plain((0..<12).map { "L\($0)" }), title: "12 x 40 logit lens",
                              xTitle: "position", yTitle: "layer"))
        let pattern: [[Float]] = (0..<n).map { d in
            let raw = (0..<n).map { s in s <= d ? Float(1 + (d * 7 + s * 3) % 5) : 0 }
            let total = raw.reduce(0, +)
            return raw.map { $0 / total }
        }
        report.figure(AttentionViewer(tokens: toks, heads: [.init("L0H0", pattern: pattern)], title: "One head, 40 tokens"))
        report.figure(AttentionViewer(tokens: toks, heads: (0..<4).map { .init("L1H\($0)", pattern: pattern) },
                                      title: "Four heads, 40 tokens"))
        report.figure(LinePlot((0..<n).map { Float($0 % 9) - 3 }, x: .tokens(toks), title: "40 token positions"))
        report.figure(BarChart((0..<n).map { Float(($0 * 37) % 11) - 5 }, labels: .tokens(toks), orientation: .vertical,
                               title: "40 vertical bars"))
        report.section("Degenerate")
        report.figure(Heatmap([[Float]](), title: "empty heatmap"))
        report.figure(Heatmap([[Float.nan, .nan]], title: "all NaN"))
        report.figure(Heatmap([[0, 0, 0]], x: .plain(["a", "b", "c"]), title: "one row of zeros"))
        report.figure(LinePlot(series: [], title: "no series"))
        report.figure(LinePlot([5], title: "one constant point"))
        report.figure(ScatterPlot([], title: "no points"))
        report.figure(BarChart([], labels: .plain([]), title: "no bars"))
        report.figure(BarChart([0, 0], labels: .plain(["a", "b"]), title: "zero bars"))
        report.figure(AttentionViewer(tokens: [], heads: [], title: "no heads"))
        report.figure(HeatmapGrid([], x: .indices(3), y: .indices(2), title: "grid without panels"))
        report.figure(HeatmapGrid([.init("zeros", values: [[0, 0, 0], [0, 0, 0]])], x: .indices(3), y: .indices(2),
                                  title: "one panel of zeros"))
        report.figure(GroupedBarChart(series: [], categories: .plain([]), title: "no grouped bars"))
        report.figure(GroupedBarChart(series: [.init("a", [0, 0])], categories: .plain(["x", "y"]), title: "zero grouped bars"))
        report.figure(ScatterPlot([.init(x: 1, y: 1, value: 0.5)], xRange: 2...3, colors: ColorMapping(scale: .blues, lower: 0, upper: 1),
                                  colorBarTitle: "all outside"))
        return report
    }
}

@Suite struct ReportEdgeTests {
    @Test func extremeInputsRenderWellFormedXML() throws {
        let html = ReportEdgeSample.report().html()
        #expect(ReportXML.parse(html) == nil)
        #expect(!html.contains("nan\"") && !html.contains("inf\""), "no non-finite coordinates")
        if let path = ProcessInfo.processInfo.environment["LENS_SAMPLE_REPORT"] {
            try ReportEdgeSample.report().write(toPath: path.replacingOccurrences(of: ".html", with: "-edge.html"))
        }
    }
}
