/// Points on two value axes (e.g. attribution against patching effect per head), optionally
/// labelled, coloured by group, with hover text per point.
public struct ScatterPlot: ReportFigure {
    /// One point.
    public struct Point: Sendable, Equatable {
        /// Coordinates.
        public var x: Float, y: Float
        /// Text drawn beside the point when `showLabels` is on (also heads the hover text).
        public var label: String?
        /// Extra hover text.
        public var hover: String?
        /// Group name: points of a group share a colour and a legend entry.
        public var group: String?
        /// A value drawn on the plot's colour scale (`colors`), instead of the group colour.
        public var value: Float?

        /// A point.
        public init(x: Float, y: Float, label: String? = nil, hover: String? = nil, group: String? = nil,
                    value: Float? = nil) {
            self.x = x
            self.y = y
            self.label = label
            self.hover = hover
            self.group = group
            self.value = value
        }
    }

    /// The points (non-finite coordinates are skipped).
    public var points: [Point]
    /// Title above the figure.
    public var title: String?
    /// x axis title.
    public var xTitle: String?
    /// y axis title.
    public var yTitle: String?
    /// Whether point labels are drawn beside the points.
    public var showLabels: Bool
    /// Size of the plot area in pixels.
    public var plotWidth: Double, plotHeight: Double
    /// Fixed axis ranges (plotly `range_x`, `range_y`); nil fits the data. Points outside are not drawn.
    public var xRange: ClosedRange<Float>?, yRange: ClosedRange<Float>?
    /// Colour scale of the points' `value`s (plotly `color=..., color_continuous_scale`), with a colour bar;
    /// nil colours by group. `.diverging(values)` centres RdBu on zero.
    public var colors: ColorMapping?
    /// Title beside the colour bar.
    public var colorBarTitle: String?

    /// A scatter plot.
    public init(_ points: [Point], title: String? = nil, xTitle: String? = nil, yTitle: String? = nil,
                showLabels: Bool = false, plotWidth: Double = 520, plotHeight: Double = 380,
                xRange: ClosedRange<Float>? = nil, yRange: ClosedRange<Float>? = nil, colors: ColorMapping? = nil,
                colorBarTitle: String? = nil) {
        self.points = points
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.showLabels = showLabels
        self.plotWidth = plotWidth
        self.plotHeight = plotHeight
        self.xRange = xRange
        self.yRange = yRange
        self.colors = colors
        self.colorBarTitle = colorBarTitle
    }

    /// Group names in order of first appearance.
    var groups: [String] {
        var seen: [String] = []
        for p in points { if let g = p.group, !seen.contains(g) { seen.append(g) } }
        return seen
    }

    /// The `<svg>` element.
    public func html() -> String { svg() }

    /// The `<svg>` element.
    public func svg() -> String {
        let pad = PlotFrame.pad
        let fixedX = xRange.map { Double($0.lowerBound)...Double($0.upperBound) }
        let fixedY = yRange.map { Double($0.lowerBound)...Double($0.upperBound) }
        let shown = points.filter {
            $0.x.isFinite && $0.y.isFinite && (xRange?.contains($0.x) ?? true) && (yRange?.contains($0.y) ?? true)
        }
        let xAxis = ValueAxis(values: shown.map { Double($0.x) }, fixed: fixedX)
        let yAxis = ValueAxis(values: shown.map { Double($0.y) }, fixed: fixedY)
        let groups = colors == nil ? self.groups : []
        let bar = colors.map { ColorBar(mapping: $0, title: colorBarTitle) }
        let top = pad + (title == nil ? 0 : 30) + (groups.isEmpty ? 0 : 22)
        let left = (pad + (yTitle == nil ? 0 : 22) + yAxis.labelWidth(size: PlotFrame.tickFont) + 8).rounded(.up)
        let right = left + plotWidth, bottom = top + plotHeight
        let labelRoom = showLabels ? (shown.compactMap { $0.label }.map { SVGCanvas.textWidth($0, size: 10) }.max() ?? 0) : 0

        var canvas = SVGCanvas()
        PlotFrame.drawTitle(title, into: &canvas)
        PlotFrame.drawVerticalAxis(yAxis, into: &canvas, left: left, right: right, top: top, bottom: bottom)
        PlotFrame.drawHorizontalAxis(xAxis, into: &canvas, left: left, right: right, top: top, bottom: bottom)
        canvas.raw("<rect x=\"\(SVGCanvas.n(left))\" y=\"\(SVGCanvas.n(top))\" width=\"\(SVGCanvas.n(plotWidth))\" height=\"\(SVGCanvas.n(plotHeight))\" fill=\"none\" stroke=\"#ccc\" stroke-width=\"0.8\"/>")
        for p in shown {
            let cx = xAxis.position(Double(p.x), start: left, end: right)
            let cy = yAxis.position(Double(p.y), start: bottom, end: top)
            let color = colors.flatMap { mapping in p.value.map { mapping.color($0).hex } }
                ?? p.group.flatMap { groups.firstIndex(of: $0) }.map(LinePlot.color) ?? LinePlot.color(0)
            // On a colour scale the low end is near white: a grey outline keeps those points visible.
            canvas.circle(cx: cx, cy: cy, r: 4.5, fill: color,
                          extra: [("fill-opacity", "0.85"), ("stroke", colors == nil ? "#fff" : "#888"), ("stroke-width", "0.8"),
                                  ("data-tip", hoverText(p))])
            if showLabels, let label = p.label {
                canvas.text(label, x: cx + 7, y: cy - 6, size: 10, fill: "#444", extra: [("pointer-events", "none")])
            }
        }
        if !groups.isEmpty {
            let entries = groups.enumerated().map { (k, g) in (name: g, color: LinePlot.color(k)) }
            PlotFrame.drawLegend(entries, into: &canvas, x: left, y: top - 14, dots: true)
        }
        let xTitleY = bottom + PlotFrame.tickFont + 24
        PlotFrame.drawAxisTitles(x: xTitle, y: yTitle, into: &canvas, left: left, right: right, top: top,
                                 bottom: bottom, xTitleY: xTitleY)
        if let bar { bar.draw(into: &canvas, x: right + labelRoom + 20, y: top, height: Swift.min(300, plotHeight)) }
        let width = Swift.max(Swift.max(right + labelRoom + (bar.map { 20 + $0.width } ?? 0),
                                        left + PlotFrame.legendWidth(groups)) + pad, PlotFrame.titleWidth(title))
        let height = bottom + PlotFrame.tickFont + 10 + (xTitle == nil ? 0 : 22) + pad
        return canvas.svg(width: width, height: height)
    }

    /// "label / hover / group / x: … / y: …", lines present only when set.
    private func hoverText(_ p: Point) -> String {
        let head = [p.label, p.hover, p.group.map { "group: " + $0 },
                    p.value.map { (colorBarTitle ?? "value") + ": " + ReportNumber.compact($0) }].compactMap { $0 }
        return (head + ["x: " + ReportNumber.compact(p.x), "y: " + ReportNumber.compact(p.y)]).joined(separator: "\n")
    }
}
