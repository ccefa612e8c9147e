import Foundation
import Lens
import Testing

@Suite struct ReportHeatmapTests {
    static let tokens = ["<|endoftext|>", "ĠThe", "Ġ\"&'", "Ċ"]
    static let values: [[Float]] = [[-2, -1, 0, 0.5], [1, 2, .nan, 0.123456], [0, 0, 0, 0]]

    static func heatmap(showValues: Bool = false) -> Heatmap {
        Heatmap(values, x: .tokens(tokens), y: .plain(["L0", "L1", "L<2>"]), title: "Patch <&>",
                xTitle: "position", yTitle: "layer", showValues: showValues)
    }

    @Test func svgIsWellFormedXML() {
        let svg = Self.heatmap(showValues: true).svg()
        #expect(ReportXML.parse(svg) == nil)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    }

    @Test func oneHoverableCellPerValue() throws {
        let cells = ReportXML.elements(Self.heatmap().svg(), named: "rect", having: ["data-r", "data-c", "data-v"])
        #expect(cells.count == 3 * 4)
        for i in 0..<3 {
            for j in 0..<4 {
                let cell = try #require(cells.first { $0.attributes["data-r"] == "\(i)" && $0.attributes["data-c"] == "\(j)" })
                #expect(cell.attributes["data-v"] == ReportNumber.compact(Self.values[i][j]))
            }
        }
    }

    @Test func cellColoursFollowTheSymmetricScale() {
        let cells = ReportXML.elements(Self.heatmap().svg(), named: "rect", having: ["data-v"])
        func fill(_ r: Int, _ c: Int) -> String? {
            cells.first { $0.attributes["data-r"] == "\(r)" && $0.attributes["data-c"] == "\(c)" }?.attributes["fill"]
        }
        #expect(fill(0, 0) == "#67001f")
        #expect(fill(1, 1) == "#053061")
        #expect(fill(0, 2) == "#f7f7f7")
        #expect(fill(1, 2) == "#d0d0d0")
        let fixed = Heatmap(Self.values, colors: .diverging([], limit: 4)).svg()
        let darkest = ReportXML.elements(fixed, named: "rect", having: ["data-v"]).first { $0.attributes["data-v"] == "2" }
        #expect(darkest?.attributes["fill"] == ColorScale.rdBu.color(at: 0.75).hex)
    }

    @Test func hoverLabelsAreStoredOnceAsJSON() throws {
        let root = try #require(ReportXML.elements(Self.heatmap().svg())?.first)
        let rows = try JSONDecoder().decode([String].self, from: Data(try #require(root.attributes["data-rows"]).utf8))
        let cols = try JSONDecoder().decode([String].self, from: Data(try #require(root.attributes["data-cols"]).utf8))
        #expect(rows == ["L0", "L1", "L<2>"])
        #expect(cols == ["[0] <|endoftext|>", "[1] ␣The", "[2] ␣\"&'", "[3] ↵"])
        #expect(root.attributes["data-rt"] == "layer")
        #expect(root.attributes["data-ct"] == "position")
        #expect(root.attributes["data-kind"] == "heatmap")
    }

    @Test func hostileTokensAreEscaped() {
        let svg = Self.heatmap().svg()
        #expect(!svg.contains("<|endoftext|>"))
        #expect(svg.contains("&lt;|endoftext|&gt;"))
        #expect(!svg.contains("Ġ"))
        let texts = ReportXML.elements(svg, named: "text").map(\.text)
        #expect(texts.contains("<|endoftext|>"))
        #expect(texts.contains("␣\"&'"))
        #expect(texts.contains("L<2>"))
        #expect(texts.contains("Patch <&>"))
    }

    @Test func valuesPrintedInCellsWhenAsked() {
        let texts = ReportXML.elements(Self.heatmap(showValues: true).svg(), named: "text").map(\.text)
        #expect(texts.contains("0.123"))
        #expect(texts.contains("-2"))
        #expect(!ReportXML.elements(Self.heatmap().svg(), named: "text").map(\.text).contains("0.123"))
    }

    @Test func cellLabelsArePrintedAndHoverable() {
        let labels = [["␣Paris", "b", "c", "d"], ["e", "f", "g", "h"], ["i", "j", "k", "<l>"]]
        let svg = Heatmap(Self.values, colors: ColorMapping(scale: .blues, lower: 0, upper: 2), cellLabels: labels).svg()
        #expect(ReportXML.parse(svg) == nil)
        let cells = ReportXML.elements(svg, named: "rect", having: ["data-l"])
        #expect(cells.map { $0.attributes["data-l"] ?? "" } == labels.flatMap { $0 })
        let texts = ReportXML.elements(svg, named: "text").map(\.text)
        #expect(texts.contains("␣Paris") && texts.contains("<l>"))
        #expect(cells.first { $0.attributes["data-v"] == "2" }?.attributes["fill"] == "#08306b")
    }

    @Test func colourBarHasTicksThroughZero() {
        let texts = ReportXML.elements(Self.heatmap().svg(), named: "text").map(\.text)
        #expect(texts.contains("0"))
        #expect(texts.contains("2"))
        #expect(texts.contains("-2"))
        // 64 bands, top first, each coloured at its centre: t = 1 - (k + 0.5) / 64.
        let bands = ReportXML.elements(Self.heatmap().svg(), named: "rect").filter {
            $0.attributes["data-v"] == nil && $0.attributes["fill"] != "none"
        }
        #expect(bands.count == 64)
        #expect(bands.first?.attributes["fill"] == ColorScale.rdBu.color(at: 1 - 0.5 / 64).hex)
        #expect(bands.last?.attributes["fill"] == ColorScale.rdBu.color(at: 0.5 / 64).hex)
    }

    @Test func outputIsDeterministicAndTensorInputMatchesArrays() {
        #expect(Self.heatmap().svg() == Self.heatmap().svg())
        let flat: [Float] = [1, 2, 3, 4, 5, 6]
        let tensor = Tensor(flat, shape: [3, 2]).transposed(0, 1)
        let fromTensor = Heatmap(tensor, title: "t").svg()
        let fromArrays = Heatmap([[1, 3, 5], [2, 4, 6]], title: "t").svg()
        #expect(fromTensor == fromArrays)
    }
}
