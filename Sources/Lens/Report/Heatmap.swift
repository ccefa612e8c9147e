/// A matrix drawn as coloured cells with category labels on both axes: the `imshow` of the
/// TransformerLens tutorials (`px.imshow(..., color_continuous_scale="RdBu",
/// color_continuous_midpoint=0)`). By default negative values are red, zero near-white and
/// positive values blue, on a range symmetric about zero; a colour bar with ticks sits on the right.
///
/// Row `i` is drawn top to bottom (y), column `j` left to right (x). Every cell carries
/// `data-r`, `data-c`, `data-v` for the hover tooltip ("row label / column label / value"),
/// plus `data-l` when the cell has a text label (e.g. the top predicted token in a logit lens).
public struct Heatmap: ReportFigure {
    /// The values, `values[row][column]`; all rows have the same length.
    public var values: [[Float]]
    /// Labels of the columns (x axis).
    public var x: AxisLabels
    /// Labels of the rows (y axis).
    public var y: AxisLabels
    /// Title above the figure.
    public var title: String?
    /// Title of the x axis (also names the column in hover text).
    public var xTitle: String?
    /// Title of the y axis (also names the row in hover text).
    public var yTitle: String?
    /// Value-to-colour mapping; nil means RdBu symmetric about zero over ±max|value|.
    public var colors: ColorMapping?
    /// Title beside the colour bar.
    public var colorBarTitle: String?
    /// Whether to print each value (3 significant digits) inside its cell when it fits.
    public var showValues: Bool
    /// Optional text per cell, `cellLabels[row][column]`, printed inside the cell instead of the
    /// value when it fits (cut to fit) and always shown on hover.
    public var cellLabels: [[String]]?

    /// A heatmap of `values` (`[rows][columns]`); labels default to indices and must match the
    /// matrix extents (traps otherwise: a programmer error).
    public init(_ values: [[Float]], x: AxisLabels? = nil, y: AxisLabels? = nil, title: String? = nil,
                xTitle: String? = nil, yTitle: String? = nil, colors: ColorMapping? = nil,
                colorBarTitle: String? = nil, showValues: Bool = false, cellLabels: [[String]]? = nil) {
        let columns = values.first?.count ?? 0
        ensure(values.allSatisfy { $0.count == columns },
                     "Heatmap: rows have different lengths \(Set(values.map(\.count)).sorted())")
        self.values = values
        self.x = x ?? .indices(columns)
        self.y = y ?? .indices(values.count)
        ensure(self.x.count == columns, "Heatmap: \(self.x.count) x labels for \(columns) columns")
        ensure(self.y.count == values.count, "Heatmap: \(self.y.count) y labels for \(values.count) rows")
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.colors = colors
        self.colorBarTitle = colorBarTitle
        self.showValues = showValues
        if let cellLabels {
            ensure(cellLabels.count == values.count && cellLabels.allSatisfy { $0.count == columns },
                         "Heatmap: cellLabels are not \(values.count)x\(columns) like the values")
        }
        self.cellLabels = cellLabels
    }

    /// A heatmap of a rank-2 tensor `[rows, columns]` (traps on another rank).
    public init(_ tensor: Tensor, x: AxisLabels? = nil, y: AxisLabels? = nil, title: String? = nil,
                xTitle: String? = nil, yTitle: String? = nil, colors: ColorMapping? = nil,
                colorBarTitle: String? = nil, showValues: Bool = false, cellLabels: [[String]]? = nil) {
        ensure(tensor.rank == 2, "Heatmap: tensor of shape \(tensor.shape) is not 2-d")
        let flat = tensor.scalars, columns = tensor.shape[1]
        let rows = (0..<tensor.shape[0]).map { Array(flat[($0 * columns)..<(($0 + 1) * columns)]) }
        self.init(rows, x: x, y: y, title: title, xTitle: xTitle, yTitle: yTitle, colors: colors,
                  colorBarTitle: colorBarTitle, showValues: showValues, cellLabels: cellLabels)
    }

    /// The mapping in use (`colors` or the default symmetric RdBu).
    public var colorMapping: ColorMapping { colors ?? .diverging(values.flatMap { $0 }) }

    /// The `<svg>` element.
    public func html() -> String { svg() }

    /// The `<svg>` element.
    public func svg() -> String {
        let pad = 10.0
        let grid = CategoryGrid(rows: y, columns: x, maxWidth: 760, maxHeight: 560, minCell: 6, maxCell: 44)
        let mapping = colorMapping
        let bar = ColorBar(mapping: mapping, title: colorBarTitle)
        let titleHeight = title == nil ? 0.0 : 30
        let yTitleWidth = yTitle == nil ? 0.0 : 22
        let left = (pad + yTitleWidth + Swift.max(grid.rowLabelWidth + 6, grid.columnLabelOverhang)).rounded(.up)
        let top = pad + titleHeight
        let barX = left + grid.width + 20
        let barHeight = Swift.min(360, Swift.max(120, grid.height))
        let below = grid.columnLabelHeight + (xTitle == nil ? 0 : 22)
        let width = Swift.max(barX + bar.width + pad, PlotFrame.titleWidth(title))
        let height = top + Swift.max(grid.height + below, barHeight) + pad

        var canvas = SVGCanvas()
        if let title {
            canvas.text(title, x: pad, y: pad + 14, size: 15, mono: false, weight: "600")
        }
        drawCells(into: &canvas, grid: grid, mapping: mapping, x: left, y: top)
        grid.drawLabels(into: &canvas, x: left, y: top)
        if let yTitle {
            canvas.text(yTitle, x: pad + 8, y: top + grid.height / 2, size: 12, anchor: "middle",
                        baseline: "central", rotate: -90, mono: false)
        }
        if let xTitle {
            canvas.text(xTitle, x: left + grid.width / 2, y: top + grid.height + grid.columnLabelHeight + 14,
                        size: 12, anchor: "middle", mono: false)
        }
        bar.draw(into: &canvas, x: barX, y: top, height: barHeight)
        let attributes = grid.hoverAttributes(rowTitle: yTitle ?? "row", columnTitle: xTitle ?? "column",
                                              kind: "heatmap")
        return canvas.svg(width: width, height: height, attributes: attributes)
    }

    /// One `<rect>` per cell (NaN drawn grey), optional value text, and a frame.
    func drawCells(into canvas: inout SVGCanvas, grid: CategoryGrid, mapping: ColorMapping,
                           x: Double, y: Double) {
        var cells = SVGCanvas()
        for (i, row) in values.enumerated() {
            for (j, v) in row.enumerated() {
                let fill = v.isNaN ? "#d0d0d0" : mapping.color(v).hex
                cells.rect(x: x + Double(j) * grid.cell, y: y + Double(i) * grid.cell, width: grid.cell,
                           height: grid.cell, fill: fill,
                           extra: [("data-r", String(i)), ("data-c", String(j)), ("data-v", ReportNumber.compact(v))]
                               + (cellLabels.map { [("data-l", $0[i][j])] } ?? []))
            }
        }
        canvas.raw("<g class=\"lens-cells\" shape-rendering=\"crispEdges\">" + cells.body + "</g>")
        if showValues || cellLabels != nil { drawValues(into: &canvas, grid: grid, mapping: mapping, x: x, y: y) }
        canvas.raw("<rect x=\"\(SVGCanvas.n(x))\" y=\"\(SVGCanvas.n(y))\" width=\"\(SVGCanvas.n(grid.width))\" height=\"\(SVGCanvas.n(grid.height))\" fill=\"none\" stroke=\"#bbb\" stroke-width=\"0.5\" pointer-events=\"none\"/>")
    }

    /// Cell labels (or values, 3 significant digits) printed in their cells, black or white for
    /// contrast; labels are cut to fit, values skipped when they cannot fit.
    private func drawValues(into canvas: inout SVGCanvas, grid: CategoryGrid, mapping: ColorMapping,
                            x: Double, y: Double) {
        let fitting = Int(((grid.cell - 4) / (7 * SVGCanvas.monoAdvance)).rounded(.down))
        let texts = cellLabels.map { $0.map { $0.map { TokenDisplay.truncated($0, maxLength: fitting) } } }
            ?? values.map { $0.map { ReportNumber.compact($0, digits: 3) } }
        let longest = texts.flatMap { $0 }.map(\.count).max() ?? 1
        let size = Swift.min(11, (grid.cell - 4) / (Double(Swift.max(1, longest)) * SVGCanvas.monoAdvance))
        guard size >= 7 else { return }
        var labels = SVGCanvas()
        for (i, row) in texts.enumerated() {
            for (j, text) in row.enumerated() {
                let dark = !values[i][j].isNaN && mapping.color(values[i][j]).luminance < 0.5
                labels.text(text, x: x + (Double(j) + 0.5) * grid.cell, y: y + (Double(i) + 0.5) * grid.cell,
                            size: size, anchor: "middle", baseline: "central", fill: dark ? "#fff" : "#222")
            }
        }
        canvas.raw("<g class=\"lens-values\" pointer-events=\"none\">" + labels.body + "</g>")
    }
}
