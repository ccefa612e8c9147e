import Lens
import Testing

/// The figures the seed tutorials asked for: many heatmaps on one scale (`plot_board_values` with
/// `board_titles`), grouped bars, scatter coloured by a value with fixed ranges, hover names on lines.
@Suite struct ReportGridTests {
    @Test func heatmapGridSharesOneScaleAndHoversPerPanel() throws {
        let boards = Tensor.arange(3 * 8 * 8).reshaped([3, 8, 8]) - 90
        let grid = HeatmapGrid(boards, titles: ["Layer 0", "Layer 1", "Layer 2"], x: OthelloPlots.columns,
                               y: OthelloPlots.rows, title: "Residual stream", columns: 2)
        let svg = grid.svg()
        #expect(ReportXML.parse(svg) == nil)
        let cells = ReportXML.elements(svg, named: "rect", having: ["data-v"])
        #expect(cells.count == 3 * 64)
        // One scale over all panels: the most negative value is the darkest red, the most positive the darkest blue.
        #expect(cells.first?.attributes["fill"] == ColorMapping.diverging([-90, 101]).color(-90).hex)
        #expect(cells.last?.attributes["fill"] == ColorMapping.diverging([-90, 101]).color(101).hex)
        let panels = ReportXML.elements(svg, named: "g", having: ["data-rows"])
        #expect(panels.count == 3 && panels[1].attributes["data-rt"] == "Layer 1 · row")
        #expect(panels[0].attributes["data-rows"] == #"["A","B","C","D","E","F","G","H"]"#)
        let texts = ReportXML.elements(svg, named: "text").map(\.text)
        #expect(["Layer 0", "Layer 1", "Layer 2", "Residual stream"].allSatisfy(texts.contains))
        // Two panels per row: the third starts a second row below the first.
        let firstCells = cells.filter { $0.attributes["data-r"] == "0" && $0.attributes["data-c"] == "0" }
        let y = firstCells.compactMap { $0.attributes["y"].flatMap(Double.init) }
        let x = firstCells.compactMap { $0.attributes["x"].flatMap(Double.init) }
        #expect(y[0] == y[1] && y[2] > y[0] && x[2] == x[0] && x[1] > x[0])
    }

    @Test func boardFigureWritesTextOnSquares() throws {
        let state = OthelloPlots.signedClasses(try OthelloDataset(games: OthelloGames.random(count: 1, seed: 2)).state(game: 0, move: 5).rowArrays)
        let legal = OthelloPlots.legalText(["C0", "H7"])
        let svg = OthelloPlots.board(state, text: legal, title: "after move 5").svg()
        #expect(ReportXML.parse(svg) == nil)
        let marks = ReportXML.elements(svg, named: "text").filter { $0.text == "o" }
        #expect(marks.count == 2)
        let squares = ReportXML.elements(svg, named: "rect", having: ["data-l"])
        #expect(squares.filter { $0.attributes["data-l"] == "o" }.map { $0.attributes["data-r"]! + $0.attributes["data-c"]! } == ["20", "77"])
    }

    @Test func groupedBarsHaveOneBarPerSeriesAndCategory() {
        let chart = GroupedBarChart(series: [.init("attn", [0.1, -0.2, 0.9]), .init("mlp", [1, 0.5, 0])],
                                    categories: .plain(["L0", "L1", "L2"]), title: "patching", yTitle: "effect")
        let svg = chart.svg()
        #expect(ReportXML.parse(svg) == nil)
        let bars = ReportXML.elements(svg, named: "rect", having: ["data-tip"])
        #expect(bars.count == 6)
        #expect(bars[1].attributes["data-tip"] == "attn\nL1: -0.2" && bars[3].attributes["data-tip"] == "mlp\nL0: 1")
        #expect(Set(bars.prefix(3).map { $0.attributes["fill"] }).count == 1 && bars[0].attributes["fill"] != bars[3].attributes["fill"])
        // Within a category the series sit side by side.
        let x = bars.compactMap { $0.attributes["x"].flatMap(Double.init) }
        #expect(x[0] < x[3] && x[3] < x[1])
    }

    @Test func scatterColourScaleAndRanges() {
        let points = [ScatterPlot.Point(x: 0.5, y: 2, label: "N0", value: 0), ScatterPlot.Point(x: 1.5, y: 8, label: "N1", value: 1),
                      ScatterPlot.Point(x: 9, y: 1, label: "outside", value: 0.5)]
        let plot = ScatterPlot(points, xRange: 0...2, yRange: 0...10, colors: ColorMapping(scale: .blues, lower: 0, upper: 1),
                               colorBarTitle: "share")
        let svg = plot.svg()
        #expect(ReportXML.parse(svg) == nil)
        let dots = ReportXML.elements(svg, named: "circle", having: ["data-tip"])
        #expect(dots.count == 2)
        #expect(dots[0].attributes["fill"] == ColorScale.blues.color(at: 0).hex && dots[1].attributes["fill"] == ColorScale.blues.color(at: 1).hex)
        #expect(dots[1].attributes["data-tip"] == "N1\nshare: 1\nx: 1.5\ny: 8")
        // The near-white low end of the scale keeps a visible outline.
        #expect(dots.allSatisfy { $0.attributes["stroke"] == "#888" })
        let texts = ReportXML.elements(svg, named: "text").map(\.text)
        #expect(texts.contains("share") && texts.contains("10") && texts.contains("2"))
    }

    @Test func lineHoverNames() {
        let plot = LinePlot(series: [.init("logit diff", [1, 2, 3], hoverNames: ["<bos>", " Paris", " in"])], x: .indices(3))
        let tips = ReportXML.elements(plot.svg(), named: "circle", having: ["data-tip"]).compactMap { $0.attributes["data-tip"] }
        #expect(tips == ["<bos>\nlogit diff\nx: 0\ny: 1", " Paris\nlogit diff\nx: 1\ny: 2", " in\nlogit diff\nx: 2\ny: 3"])
    }
}
