import Foundation
import Lens
import Testing

@Suite struct ReportAttentionTests {
    static let tokens = ["<|endoftext|>", "ĠWhen", "ĠMary", "Ġand", "<script>"]

    /// Uniform causal attention: row d is 1/(d+1) over sources 0...d.
    static func uniform(_ n: Int) -> [[Float]] {
        (0..<n).map { d in (0..<n).map { s in s <= d ? 1 / Float(d + 1) : 0 } }
    }

    static func viewer(causal: Bool = true) -> AttentionViewer {
        AttentionViewer(tokens: tokens, heads: [.init("L0H0", pattern: uniform(5)), .init("L1H<2>", pattern: uniform(5))],
                        title: "Heads & <tokens>", causal: causal)
    }

    @Test func htmlIsWellFormedXML() {
        #expect(ReportXML.parse(Self.viewer().html()) == nil)
    }

    @Test func causalGridHasLowerTriangleCellsWithHoverData() throws {
        let html = Self.viewer().html()
        let cells = ReportXML.elements(html, named: "rect", having: ["data-r", "data-c", "data-v"])
        #expect(cells.count == 2 * 15)
        for cell in cells {
            let d = try #require(Int(cell.attributes["data-r"] ?? "")), s = try #require(Int(cell.attributes["data-c"] ?? ""))
            #expect(s <= d)
            #expect(cell.attributes["data-v"] == ReportNumber.compact(1 / Float(d + 1)))
        }
        let full = ReportXML.elements(Self.viewer(causal: false).html(), named: "rect", having: ["data-v"])
        #expect(full.count == 2 * 25)
    }

    @Test func weightsUseBluesFromZeroToOne() {
        let cells = ReportXML.elements(Self.viewer().html(), named: "rect", having: ["data-v"])
        #expect(cells.first { $0.attributes["data-r"] == "0" }?.attributes["fill"] == "#08306b")
        let half = cells.first { $0.attributes["data-r"] == "1" }?.attributes["fill"]
        #expect(half == ColorScale.blues.color(at: 0.5).hex)
    }

    @Test func gridsCarryTokenLabelsForTheTooltip() throws {
        let grids = ReportXML.elements(Self.viewer().html(), named: "svg", having: ["data-rows"])
        #expect(grids.count == 2)
        let rows = try JSONDecoder().decode([String].self, from: Data(try #require(grids[0].attributes["data-rows"]).utf8))
        #expect(rows == ["[0] <|endoftext|>", "[1] ␣When", "[2] ␣Mary", "[3] ␣and", "[4] <script>"])
        #expect(grids.allSatisfy { $0.attributes["data-kind"] == "attention" })
        let html = Self.viewer().html()
        #expect(!html.contains("<script>"))
        let rowLabels = ReportXML.elements(html, named: "text", having: ["data-ri"])
        let columnLabels = ReportXML.elements(html, named: "text", having: ["data-ci"])
        #expect(rowLabels.count == 2 * 5 && columnLabels.count == 2 * 5)
        #expect(rowLabels.first { $0.attributes["data-ri"] == "4" }?.text == "<script>")
    }

    @Test func headSelectorListsEveryHead() {
        let html = Self.viewer().html()
        let options = ReportXML.elements(html, named: "option").map(\.text)
        #expect(options == ["all heads", "L0H0", "L1H<2>"])
        let heads = ReportXML.elements(html, named: "div", having: ["data-head"]).map { $0.attributes["data-head"] }
        #expect(heads == ["0", "1"])
        let single = AttentionViewer(tokens: ["a", "b"], heads: [.init("h", pattern: [[1, 0], [0.5, 0.5]])]).html()
        #expect(ReportXML.elements(single, named: "select").isEmpty)
    }

    @Test func tensorInputMatchesArrays() {
        let flat = Self.uniform(5).flatMap { $0 } + Self.uniform(5).flatMap { $0 }
        let fromTensor = AttentionViewer(tokens: Self.tokens, patterns: Tensor(flat, shape: [2, 5, 5]),
                                         headNames: ["L0H0", "L1H<2>"], title: "Heads & <tokens>")
        #expect(fromTensor.html() == Self.viewer().html())
        let one = AttentionViewer(tokens: Self.tokens, patterns: Tensor(Self.uniform(5).flatMap { $0 }, shape: [5, 5]),
                                  headNames: ["L0H0"])
        #expect(one.heads.count == 1 && one.heads[0].pattern == Self.uniform(5))
    }
}
