/// One or several named series over shared categorical x positions (layers, positions,
/// training steps), e.g. logit difference by layer in the logit lens. Points are joined by
/// lines (NaN leaves a gap) and carry hover text "series / x / y".
public struct LinePlot: ReportFigure {
    /// A named sequence of y values, one per x position.
    public struct Series: Sendable, Equatable {
        /// Legend name (empty for an unnamed single series).
        public var name: String
        /// y values, `values[i]` at x position `i`.
        public var values: [Float]
        /// A name per point shown first in its hover text (plotly `hover_name`), e.g. the token at a position.
        public var hoverNames: [String]?

        /// A series; `hoverNames`, when given, has one name per value (traps otherwise).
        public init(_ name: String, _ values: [Float], hoverNames: [String]? = nil) {
            ensure(hoverNames.map { $0.count == values.count } ?? true,
                         "LinePlot.Series: \(hoverNames?.count ?? 0) hover names for \(values.count) values")
            self.name = name
            self.values = values
            self.hoverNames = hoverNames
        }
    }

    /// The series; each has one value per x label.
    public var series: [Series]
    /// x positions' labels.
    public var x: AxisLabels
    /// Title above the figure.
    public var title: String?
    /// x axis title.
    public var xTitle: String?
    /// y axis title.
    public var yTitle: String?
    /// Fixed y range; nil fits the data.
    public var yRange: ClosedRange<Float>?
    /// Size of the plot area in pixels.
    public var plotWidth: Double, plotHeight: Double

    /// A plot of `series` (all of length `x.count`; labels default to indices). Traps on
    /// mismatched lengths (a programmer error).
    public init(series: [Series], x: AxisLabels? = nil, title: String? = nil, xTitle: String? = nil,
                yTitle: String? = nil, yRange: ClosedRange<Float>? = nil, plotWidth: Double = 640,
                plotHeight: Double = 300) {
        let n = series.first?.values.count ?? 0
        ensure(series.allSatisfy { $0.values.count == n },
                     "LinePlot: series lengths differ \(series.map { $0.values.count })")
        self.x = x ?? .indices(n)
        ensure(self.x.count == n, "LinePlot: \(self.x.count) x labels for \(n) points")
        self.series = series
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.yRange = yRange
        self.plotWidth = plotWidth
        self.plotHeight = plotHeight
    }

    /// A single unnamed series.
    public init(_ values: [Float], x: AxisLabels? = nil, title: String? = nil, xTitle: String? = nil,
                yTitle: String? = nil, yRange: ClosedRange<Float>? = nil) {
        self.init(series: [Series("", values)], x: x, title: title, xTitle: xTitle, yTitle: yTitle, yRange: yRange)
    }

    /// The `<svg>` element.
    public func html() -> String { svg() }

    /// The `<svg>` element.
    public func svg() -> String {
        let pad = PlotFrame.pad
        let n = x.count
        let axis = ValueAxis(values: series.flatMap { $0.values.map(Double.init) },
                             fixed: yRange.map { Double($0.lowerBound)...Double($0.upperBound) })
        let legend = series.count > 1 || series.contains { !$0.name.isEmpty }
        let spacing = plotWidth / Double(Swift.max(1, n))
        let top = pad + (title == nil ? 0 : 30) + (legend ? 22 : 0)
        let left = (pad + (yTitle == nil ? 0 : 22) + Swift.max(axis.labelWidth(size: PlotFrame.tickFont) + 8,
                   PlotFrame.categoryOverhang(x, spacing: spacing) - spacing / 2)).rounded(.up)
        let right = left + plotWidth, bottom = top + plotHeight
        let labelHeight = PlotFrame.categoryLabelHeight(x, spacing: spacing)
        let centers = (0..<n).map { left + (Double($0) + 0.5) * spacing }

        var canvas = SVGCanvas()
        PlotFrame.drawTitle(title, into: &canvas)
        PlotFrame.drawVerticalAxis(axis, into: &canvas, left: left, right: right, top: top, bottom: bottom)
        canvas.raw("<rect x=\"\(SVGCanvas.n(left))\" y=\"\(SVGCanvas.n(top))\" width=\"\(SVGCanvas.n(plotWidth))\" height=\"\(SVGCanvas.n(plotHeight))\" fill=\"none\" stroke=\"#ccc\" stroke-width=\"0.8\"/>")
        PlotFrame.drawCategoryLabels(x, centers: centers, spacing: spacing, into: &canvas, top: bottom)
        let entries = series.enumerated().map { (k, s) in (name: s.name, color: Self.color(k)) }
        for (k, s) in series.enumerated() {
            drawSeries(s, color: Self.color(k), axis: axis, centers: centers, top: top, bottom: bottom, into: &canvas)
        }
        if legend {
            PlotFrame.drawLegend(entries, into: &canvas, x: left, y: top - 14)
        }
        PlotFrame.drawAxisTitles(x: xTitle, y: yTitle, into: &canvas, left: left, right: right, top: top,
                                 bottom: bottom, xTitleY: bottom + labelHeight + 14)
        let width = Swift.max(Swift.max(right, left + PlotFrame.legendWidth(entries.map(\.name))) + pad,
                              PlotFrame.titleWidth(title))
        let height = bottom + labelHeight + (xTitle == nil ? 0 : 22) + pad
        return canvas.svg(width: width, height: height)
    }

    static func color(_ k: Int) -> String { ColorScale.categorical[k % ColorScale.categorical.count].hex }

    /// The polyline (split at NaN) and one hoverable marker per finite point.
    private func drawSeries(_ s: Series, color: String, axis: ValueAxis, centers: [Double], top: Double,
                            bottom: Double, into canvas: inout SVGCanvas) {
        var path = "", pen = false
        for (i, v) in s.values.enumerated() {
            guard v.isFinite else { pen = false; continue }
            let y = axis.position(Double(v), start: bottom, end: top)
            path += (pen ? "L" : "M") + SVGCanvas.n(centers[i]) + " " + SVGCanvas.n(y)
            pen = true
        }
        canvas.raw("<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" stroke-linejoin=\"round\"/>")
        let radius = centers.count > 60 ? 2.5 : 3.5
        for (i, v) in s.values.enumerated() where v.isFinite {
            let name = (s.hoverNames.map { $0[i] + "\n" } ?? "") + (s.name.isEmpty ? "" : s.name + "\n")
            canvas.circle(cx: centers[i], cy: axis.position(Double(v), start: bottom, end: top), r: radius,
                          fill: color, extra: [("data-tip", "\(name)x: \(x.hoverText(i))\ny: \(ReportNumber.compact(v))")])
        }
    }
}
