/// Attention patterns of several heads side by side, each a destination x source grid (rows:
/// the attending query token, columns: the attended key token) with token labels, coloured
/// on Blues from 0 to `maxWeight`. Causal patterns draw only the lower triangle (source <=
/// destination). Hovering a cell shows "[dest] token → [src] token: weight"; with more than one
/// head a selector shows one head enlarged or all heads.
public struct AttentionViewer: ReportFigure {
    /// One head's pattern.
    public struct Head: Sendable, Equatable {
        /// Name shown above the grid, e.g. "L1H4".
        public var name: String
        /// Weights `pattern[dest][src]`, tokens x tokens.
        public var pattern: [[Float]]

        /// A named head pattern.
        public init(_ name: String, pattern: [[Float]]) {
            self.name = name
            self.pattern = pattern
        }
    }

    /// The tokens of the sequence (shown via `TokenDisplay`).
    public var tokens: [String]
    /// Heads in display order.
    public var heads: [Head]
    /// Title above the viewer.
    public var title: String?
    /// Whether only source <= destination cells are drawn.
    public var causal: Bool
    /// Weight drawn darkest (1 for probabilities).
    public var maxWeight: Float

    /// A viewer of `heads` over `tokens`; every pattern must be tokens x tokens (traps otherwise).
    public init(tokens: [String], heads: [Head], title: String? = nil, causal: Bool = true, maxWeight: Float = 1) {
        let n = tokens.count
        for head in heads {
            ensure(head.pattern.count == n && head.pattern.allSatisfy { $0.count == n },
                         "AttentionViewer: head \(head.name) pattern is not \(n)x\(n) for \(n) tokens")
        }
        ensure(maxWeight > 0, "AttentionViewer: maxWeight \(maxWeight) must be positive")
        self.tokens = tokens
        self.heads = heads
        self.title = title
        self.causal = causal
        self.maxWeight = maxWeight
    }

    /// A viewer of `patterns` shaped `[heads, dest, src]` (or `[dest, src]` for one head) with
    /// one name per head (traps on other shapes).
    public init(tokens: [String], patterns: Tensor, headNames: [String], title: String? = nil,
                causal: Bool = true, maxWeight: Float = 1) {
        let p = patterns.rank == 2 ? patterns.unsqueezed(0) : patterns
        ensure(p.rank == 3, "AttentionViewer: patterns of shape \(patterns.shape) are not [heads, dest, src]")
        ensure(headNames.count == p.shape[0],
                     "AttentionViewer: \(headNames.count) names for \(p.shape[0]) heads of shape \(patterns.shape)")
        let flat = p.scalars, dest = p.shape[1], src = p.shape[2]
        let heads = headNames.enumerated().map { (h, name) in
            Head(name, pattern: (0..<dest).map { d in
                let start = (h * dest + d) * src
                return Array(flat[start..<(start + src)])
            })
        }
        self.init(tokens: tokens, heads: heads, title: title, causal: causal, maxWeight: maxWeight)
    }

    /// The colour mapping of weights.
    public var colorMapping: ColorMapping { ColorMapping(scale: .blues, lower: 0, upper: maxWeight) }

    /// The viewer: optional title and head selector, one `<svg>` per head, and a colour bar.
    public func html() -> String {
        let labels = AxisLabels.tokens(tokens)
        let size = heads.count > 1 ? 240.0 : 560
        let grid = CategoryGrid(rows: labels, columns: labels, maxWidth: size, maxHeight: size, minCell: 4,
                                maxCell: heads.count > 1 ? 24 : 32)
        var out = "<div class=\"lens-attn\">"
        if let title { out += "<div class=\"lens-attn-title\"><strong>\(Markup.escape(title))</strong></div>" }
        out += "<div class=\"lens-controls\">"
        if heads.count > 1 {
            out += "<label>head<select><option value=\"all\">all heads</option>"
            for (k, head) in heads.enumerated() {
                out += "<option value=\"\(k)\">\(Markup.escape(head.name))</option>"
            }
            out += "</select></label> · "
        }
        out += "rows: destination (query) token, columns: source (key) token \(colorBarSVG())</div><div class=\"lens-heads\">"
        for (k, head) in heads.enumerated() {
            out += "<div class=\"lens-head\" data-head=\"\(k)\">\(headSVG(head, grid: grid))</div>"
        }
        return out + "</div></div>"
    }

    /// One head: name, cells with hover data, triangle outline and token labels.
    func headSVG(_ head: Head, grid: CategoryGrid) -> String {
        let pad = 8.0
        let left = (pad + Swift.max(grid.rowLabelWidth + 6, grid.columnLabelOverhang)).rounded(.up)
        let top = pad + 24
        let mapping = colorMapping
        var canvas = SVGCanvas()
        canvas.text(head.name, x: left, y: pad + 12, size: 13, mono: false, weight: "600")
        var cells = SVGCanvas()
        for (d, row) in head.pattern.enumerated() {
            for (s, w) in row.enumerated() where !causal || s <= d {
                cells.rect(x: left + Double(s) * grid.cell, y: top + Double(d) * grid.cell, width: grid.cell,
                           height: grid.cell, fill: w.isNaN ? "#d0d0d0" : mapping.color(w).hex,
                           extra: [("data-r", String(d)), ("data-c", String(s)), ("data-v", ReportNumber.compact(w))])
            }
        }
        canvas.raw("<g class=\"lens-cells\" shape-rendering=\"crispEdges\">" + cells.body + "</g>")
        canvas.raw("<path d=\"\(outline(grid: grid, x: left, y: top))\" fill=\"none\" stroke=\"#bbb\" stroke-width=\"0.6\" pointer-events=\"none\"/>")
        grid.drawLabels(into: &canvas, x: left, y: top)
        let width = Swift.max(left + grid.width, left + Double(head.name.count) * 13 * 0.62) + pad
        let height = top + grid.height + grid.columnLabelHeight + pad
        let attributes = grid.hoverAttributes(rowTitle: "destination", columnTitle: "source", kind: "attention")
        return canvas.svg(width: width, height: height, attributes: attributes)
    }

    /// The frame of the drawn cells: a staircase along the diagonal when causal, else a square.
    private func outline(grid: CategoryGrid, x: Double, y: Double) -> String {
        let n = tokens.count, c = grid.cell
        func p(_ px: Double, _ py: Double) -> String { SVGCanvas.n(px) + " " + SVGCanvas.n(py) }
        guard causal else {
            return "M" + p(x, y) + "H" + SVGCanvas.n(x + grid.width) + "V" + SVGCanvas.n(y + grid.height)
                + "H" + SVGCanvas.n(x) + "Z"
        }
        var d = "M" + p(x, y)
        for k in 0..<n {
            d += "H" + SVGCanvas.n(x + Double(k + 1) * c) + "V" + SVGCanvas.n(y + Double(k + 1) * c)
        }
        return d + "H" + SVGCanvas.n(x) + "Z"
    }

    /// The shared colour bar, horizontal, in a small inline `<svg>` on the controls line (so it never takes a
    /// row of its own below the heads).
    private func colorBarSVG() -> String {
        var canvas = SVGCanvas()
        let width = ColorBar(mapping: colorMapping, title: nil).drawHorizontal(into: &canvas, x: 8, y: 2, width: 160)
        return canvas.svg(width: width + 8, height: 30, attributes: [("class", "lens-attn-bar")])
    }
}
