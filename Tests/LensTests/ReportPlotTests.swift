import Lens
import Testing

@Suite struct ReportPlotTests {
    @Test func linePlotHasOneMarkerPerFinitePointAndBreaksAtNaN() {
        let plot = LinePlot(series: [.init("a", [1, 2, .nan, 4]), .init("b & c", [0, -1, -2, -3])],
                            x: .tokens(["ĠA", "ĠB", "ĠC", "ĠD"]), title: "t", xTitle: "x", yTitle: "y")
        let svg = plot.svg()
        #expect(ReportXML.parse(svg) == nil)
        let markers = ReportXML.elements(svg, named: "circle", having: ["data-tip"])
        #expect(markers.count == 7)
        #expect(markers.first?.attributes["data-tip"] == "a\nx: [0] ␣A\ny: 1")
        let paths = ReportXML.elements(svg, named: "path").compactMap { $0.attributes["d"] }
        #expect(paths.count == 2)
        #expect(paths[0].filter { $0 == "M" }.count == 2)
        #expect(ReportXML.elements(svg, named: "text").map(\.text).contains("b & c"))
    }

    @Test func linePlotFixedRangeSetsTicks() {
        let svg = LinePlot([0.2, 0.4], yRange: 0...1).svg()
        let texts = ReportXML.elements(svg, named: "text").map(\.text)
        #expect(texts.contains("0") && texts.contains("1") && texts.contains("0.4"))
    }

    @Test func scatterPlotHasHoverPerPointAndGroupLegend() {
        let points = [ScatterPlot.Point(x: 1, y: 2, label: "L0H1", group: "g1"),
                      ScatterPlot.Point(x: -1, y: 0.5, hover: "<b>", group: "g2"),
                      ScatterPlot.Point(x: .nan, y: 1)]
        let svg = ScatterPlot(points, title: "s", showLabels: true).svg()
        #expect(ReportXML.parse(svg) == nil)
        let dots = ReportXML.elements(svg, named: "circle", having: ["data-tip"])
        #expect(dots.count == 2)
        #expect(dots[0].attributes["data-tip"] == "L0H1\ngroup: g1\nx: 1\ny: 2")
        #expect(dots[1].attributes["data-tip"] == "<b>\ngroup: g2\nx: -1\ny: 0.5")
        #expect(dots[0].attributes["fill"] != dots[1].attributes["fill"])
        let texts = ReportXML.elements(svg, named: "text").map(\.text)
        #expect(texts.contains("g1") && texts.contains("g2") && texts.contains("L0H1"))
    }

    @Test func barsAreColouredBySign() {
        for orientation in [BarChart.Orientation.horizontal, .vertical] {
            let chart = BarChart([2, -1, 0.5], labels: .tokens(["ĠParis", "<|endoftext|>", "Ċ"]),
                                 orientation: orientation, title: "b", valueTitle: "logit", labelTitle: "token")
            let svg = chart.svg()
            #expect(ReportXML.parse(svg) == nil)
            let bars = ReportXML.elements(svg, named: "rect", having: ["data-tip"])
            #expect(bars.count == 3)
            #expect(bars.map { $0.attributes["fill"] } == ["#2166ac", "#b2182b", "#2166ac"])
            #expect(bars[1].attributes["data-tip"] == "[1] <|endoftext|>: -1")
            let texts = ReportXML.elements(svg, named: "text").map(\.text)
            #expect(texts.contains("-1") && texts.contains("<|endoftext|>") && texts.contains("↵"))
        }
    }

    @Test func horizontalBarLengthsAreProportional() throws {
        let bars = ReportXML.elements(BarChart([4, -2], labels: .plain(["a", "b"])).svg(), named: "rect", having: ["data-tip"])
        let widths = try bars.map { try #require(Double($0.attributes["width"] ?? "")) }
        #expect(abs(widths[0] / widths[1] - 2) < 0.02, "bar widths \(widths), tolerance 0.02 from pixel rounding")
    }
}
