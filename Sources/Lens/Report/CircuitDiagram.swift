/// A circuit drawn as a graph: the input at the bottom, one row per layer (its heads, then its MLP to their right,
/// a half row higher when attention and MLP run one after the other), the logits on top. Each edge is a curve from
/// its source to the node that reads it (bowing out more the more layers it skips), blue for a positive score and red for a negative one, its width growing
/// with `|score|`, its score printed at its middle and in its hover text (`src → dst <q|k|v>: score`).
public struct CircuitDiagram: ReportFigure {
    /// The circuit.
    public var circuit: Circuit
    /// The scores of its edges.
    public var scores: EdgeScores
    /// Title above the figure.
    public var title: String?

    /// A diagram of `circuit` with the scores of `scores` (which must be on the same graph).
    public init(_ circuit: Circuit, scores: EdgeScores, title: String? = nil) {
        self.circuit = circuit
        self.scores = scores
        self.title = title
    }

    static let nodeGap = 74.0, rowGap = 120.0, radius = 15.0, margin = 30.0

    /// The `<svg>` element.
    public func html() -> String {
        let graph = circuit.graph
        let columns = graph.nHeads + (graph.hasMLP ? 1 : 0)
        let rowsPerLayer = 2
        let rows = 2 + graph.nLayers * rowsPerLayer
        let top = title == nil ? Self.margin : Self.margin + 22
        let width = 2 * Self.margin + Double(columns) * Self.nodeGap
        let height = top + Self.margin + Double(rows - 1) * Self.rowGap / 2 + 10
        func y(_ row: Int) -> Double { top + Double(rows - 1 - row) * Self.rowGap / 2 }
        func x(_ column: Int, of count: Int) -> Double {
            Self.margin + (Double(columns) - Double(count)) * Self.nodeGap / 2 + (Double(column) + 0.5) * Self.nodeGap
        }
        var position: [Int: (Double, Double)] = [0: (width / 2, y(0))]
        for l in 0..<graph.nLayers {
            let row = 1 + l * rowsPerLayer
            for h in 0..<graph.nHeads { position[graph.head(l, h)] = (x(h, of: columns), y(row)) }
            if graph.hasMLP { position[graph.mlp(l)] = (x(graph.nHeads, of: columns), y(graph.parallel ? row : row + 1)) }
        }
        let logits = (width / 2, y(rows - 1))
        let largest = max(circuit.edges.map { Swift.abs(scores.score($0.src, $0.dst)) }.max() ?? 0, 1e-12)
        var canvas = SVGCanvas()
        if let title { canvas.text(title, x: Self.margin, y: Self.margin, size: 13, mono: false, weight: "bold") }
        let ordered = circuit.edges.sorted { ($0.dst, $0.src) < ($1.dst, $1.src) }
        for edge in ordered {
            let score = scores.score(edge.src, edge.dst)
            let (x1, y1) = position[edge.src]!
            let reader = graph.readers(ofDestination: edge.dst).first.flatMap { position[$0] } ?? logits
            let color = score >= 0 ? "#2166ac" : "#b2182b"
            let name = "\(graph.sourceName(edge.src)) → \(graph.destinationName(edge.dst)): \(ReportNumber.compact(score))"
            // A quadratic curve whose control point moves sideways with the vertical distance it spans.
            let bow = (y1 - reader.1) / Self.rowGap * 24 * (edge.dst % 2 == 0 ? 1 : -1)
            let (cx, cy) = ((x1 + reader.0) / 2 + bow, (y1 + reader.1) / 2)
            let d = "M\(SVGCanvas.n(x1)) \(SVGCanvas.n(y1)) Q\(SVGCanvas.n(cx)) \(SVGCanvas.n(cy)) \(SVGCanvas.n(reader.0)) \(SVGCanvas.n(reader.1))"
            let stroke = SVGCanvas.n(0.75 + 4 * Double(Swift.abs(score) / largest))
            canvas.raw("<path d=\"\(d)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(stroke)\" opacity=\"0.75\""
                       + SVGCanvas.attributes([("data-tip", name)]) + "/>")
            canvas.text(ReportNumber.compact(score), x: (x1 + reader.0) / 4 + cx / 2, y: (y1 + reader.1) / 4 + cy / 2 - 2,
                        size: 8, anchor: "middle", fill: color)
        }
        var labels: [(String, (Double, Double), Bool)] = [("logits", logits, true)]
        labels += position.keys.sorted().map { (graph.sourceName($0), position[$0]!, circuit.nodes.contains($0) || $0 == 0) }
        for (name, (cx, cy), present) in labels {
            canvas.circle(cx: cx, cy: cy, r: Self.radius, fill: present ? "#fdf6e3" : "#eeeeee",
                          extra: [("stroke", present ? "#444" : "#bbb"), ("data-tip", name)])
            canvas.text(name, x: cx, y: cy, size: 9, anchor: "middle", baseline: "central", fill: present ? "#222" : "#999")
        }
        return canvas.svg(width: width, height: height, attributes: [("class", "lens-circuit")])
    }
}
