/// Several heatmaps of the same extent side by side, each with its own title, on one shared colour scale with
/// one colour bar: plotly's `facet_col` / `animation_frame` as the TransformerLens tutorials use it (e.g. the
/// Othello-GPT tutorial's `plot_board_values(..., board_titles=[...])`, one board per layer or per neuron).
///
/// Panels wrap after `columns` per row. Every cell hovers with its panel's title, row, column and value.
public struct HeatmapGrid: ReportFigure {
    /// One heatmap of the grid.
    public struct Panel: Sendable {
        /// Title above the panel.
        public var title: String
        /// `values[row][column]`.
        public var values: [[Float]]
        /// Optional text per cell, printed inside it when it fits and shown on hover.
        public var cellLabels: [[String]]?

        /// A panel; `values` must have the grid's extents.
        public init(_ title: String, values: [[Float]], cellLabels: [[String]]? = nil) {
            self.title = title
            self.values = values
            self.cellLabels = cellLabels
        }
    }

    /// The panels in order.
    public var panels: [Panel]
    /// Column labels shared by every panel.
    public var x: AxisLabels
    /// Row labels shared by every panel.
    public var y: AxisLabels
    /// Title above the figure.
    public var title: String?
    /// Name of the columns and rows in hover text.
    public var xTitle: String?, yTitle: String?
    /// Shared value-to-colour mapping; nil means RdBu symmetric about zero over every panel's values.
    public var colors: ColorMapping?
    /// Title beside the colour bar.
    public var colorBarTitle: String?
    /// Panels per row.
    public var columns: Int
    /// Largest side of one panel in pixels.
    public var panelSize: Double
    /// Print each value in its cell when it fits (panels without cell labels).
    public var showValues: Bool

    /// A grid of `panels`, all `y.count × x.count` (traps otherwise: a programmer error).
    public init(_ panels: [Panel], x: AxisLabels, y: AxisLabels, title: String? = nil, xTitle: String? = nil,
                yTitle: String? = nil, colors: ColorMapping? = nil, colorBarTitle: String? = nil, columns: Int? = nil,
                panelSize: Double = 240, showValues: Bool = false) {
        for panel in panels {
            ensure(panel.values.count == y.count && panel.values.allSatisfy { $0.count == x.count },
                         "HeatmapGrid: panel \"\(panel.title)\" is not \(y.count)x\(x.count)")
            if let labels = panel.cellLabels {
                ensure(labels.count == y.count && labels.allSatisfy { $0.count == x.count },
                             "HeatmapGrid: cell labels of panel \"\(panel.title)\" are not \(y.count)x\(x.count)")
            }
        }
        self.panels = panels
        self.x = x
        self.y = y
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.colors = colors
        self.colorBarTitle = colorBarTitle
        self.columns = Swift.max(1, columns ?? Swift.min(5, panels.count))
        self.panelSize = panelSize
        self.showValues = showValues
    }

    /// A grid of the panels of a `[panels, rows, columns]` tensor, titled by `titles` (default `0`, `1`, …).
    public init(_ tensor: Tensor, titles: [String]? = nil, cellLabels: [[[String]]]? = nil, x: AxisLabels? = nil,
                y: AxisLabels? = nil, title: String? = nil, colors: ColorMapping? = nil, colorBarTitle: String? = nil,
                columns: Int? = nil, panelSize: Double = 240) {
        ensure(tensor.rank == 3, "HeatmapGrid: tensor of shape \(tensor.shape) is not [panels, rows, columns]")
        let (n, rows, cols) = (tensor.shape[0], tensor.shape[1], tensor.shape[2])
        let titles = titles ?? (0..<n).map(String.init)
        ensure(titles.count == n, "HeatmapGrid: \(titles.count) titles for \(n) panels")
        let flat = tensor.scalars
        let panels = (0..<n).map { p in
            Panel(titles[p], values: (0..<rows).map { r in Array(flat[((p * rows + r) * cols)..<((p * rows + r + 1) * cols)]) },
                  cellLabels: cellLabels?[p])
        }
        self.init(panels, x: x ?? .indices(cols), y: y ?? .indices(rows), title: title, colors: colors,
                  colorBarTitle: colorBarTitle, columns: columns, panelSize: panelSize)
    }

    /// The mapping in use (`colors` or RdBu symmetric over every panel).
    public var colorMapping: ColorMapping { colors ?? .diverging(panels.flatMap { $0.values.flatMap { $0 } }) }

    /// The `<svg>` element.
    public func html() -> String { svg() }

    /// The `<svg>` element: panels in rows of `columns`, the colour bar at the right of the first row.
    public func svg() -> String {
        let pad = PlotFrame.pad, gap = 18.0, panelTitle = 20.0
        let grid = CategoryGrid(rows: y, columns: x, maxWidth: panelSize, maxHeight: panelSize, minCell: 6, maxCell: 40)
        let mapping = colorMapping
        let bar = ColorBar(mapping: mapping, title: colorBarTitle)
        let labelLeft = (Swift.max(grid.rowLabelWidth + 6, grid.columnLabelOverhang)).rounded(.up)
        let cellWidth = labelLeft + grid.width
        let panelTitleWidth = panels.map { SVGCanvas.textWidth($0.title, size: 12) }.max() ?? 0
        let slotWidth = Swift.max(cellWidth, labelLeft + panelTitleWidth) + gap
        let slotHeight = panelTitle + grid.height + grid.columnLabelHeight + gap
        let top = pad + (title == nil ? 0 : 30)
        let shownColumns = Swift.min(columns, Swift.max(1, panels.count))
        let rowsOfPanels = (panels.count + shownColumns - 1) / shownColumns
        let barX = pad + Double(shownColumns) * slotWidth
        let barHeight = Swift.min(300, Swift.max(100, grid.height))
        var canvas = SVGCanvas()
        if let title { canvas.text(title, x: pad, y: pad + 14, size: 15, mono: false, weight: "600") }
        for (k, panel) in panels.enumerated() {
            let left = pad + Double(k % shownColumns) * slotWidth + labelLeft
            let panelTop = top + Double(k / shownColumns) * slotHeight
            canvas.text(panel.title, x: left + grid.width / 2, y: panelTop + 13, size: 12, anchor: "middle", mono: false,
                        weight: "600")
            var body = SVGCanvas()
            let heatmap = Heatmap(panel.values, x: x, y: y, colors: mapping, showValues: showValues,
                                  cellLabels: panel.cellLabels)
            heatmap.drawCells(into: &body, grid: grid, mapping: mapping, x: left, y: panelTop + panelTitle)
            grid.drawLabels(into: &body, x: left, y: panelTop + panelTitle)
            let attributes = grid.hoverAttributes(rowTitle: "\(panel.title) · \(yTitle ?? "row")",
                                                  columnTitle: xTitle ?? "column", kind: "heatmap")
            canvas.raw("<g\(SVGCanvas.attributes(attributes))>" + body.body + "</g>")
        }
        bar.draw(into: &canvas, x: barX, y: top + panelTitle, height: barHeight)
        let width = Swift.max(barX + bar.width + pad, PlotFrame.titleWidth(title))
        let height = top + Swift.max(Double(rowsOfPanels) * slotHeight - gap, panelTitle + barHeight) + pad
        return canvas.svg(width: width, height: height)
    }
}
