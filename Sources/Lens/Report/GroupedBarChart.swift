/// Bars of several named series side by side in each category (plotly's `barmode="group"`): e.g. the
/// patching effect of attention and MLP outputs at every layer. Series take the categorical colours and a
/// legend; every bar hovers with "series / category: value".
public struct GroupedBarChart: ReportFigure {
    /// The series, each with one value per category.
    public var series: [LinePlot.Series]
    /// Category labels (x axis).
    public var categories: AxisLabels
    /// Title above the figure.
    public var title: String?
    /// Axis titles.
    public var xTitle: String?, yTitle: String?
    /// Fixed value range; nil fits the data and zero.
    public var yRange: ClosedRange<Float>?
    /// Height of the plot area in pixels.
    public var plotHeight: Double

    /// A grouped bar chart; every series must have `categories.count` values (traps otherwise).
    public init(series: [LinePlot.Series], categories: AxisLabels, title: String? = nil, xTitle: String? = nil,
                yTitle: String? = nil, yRange: ClosedRange<Float>? = nil, plotHeight: Double = 280) {
        ensure(series.allSatisfy { $0.values.count == categories.count },
                     "GroupedBarChart: series lengths \(series.map(\.values.count)) for \(categories.count) categories")
        self.series = series
        self.categories = categories
        self.title = title
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.yRange = yRange
        self.plotHeight = plotHeight
    }

    /// The `<svg>` element.
    public func html() -> String { svg() }

    /// The `<svg>` element.
    public func svg() -> String {
        let pad = PlotFrame.pad
        let axis = ValueAxis(values: series.flatMap { $0.values.map(Double.init) }, including: [0],
                             fixed: yRange.map { Double($0.lowerBound)...Double($0.upperBound) })
        let k = Swift.max(1, series.count)
        let spacing = Swift.max(Double(k) * 8 + 8, Swift.min(Double(k) * 22 + 14, 760 / Double(Swift.max(1, categories.count))))
        let barWidth = (spacing - 8) / Double(k)
        let top = pad + (title == nil ? 0 : 30) + 22
        let left = (pad + (yTitle == nil ? 0 : 22) + Swift.max(axis.labelWidth(size: PlotFrame.tickFont) + 8,
                   PlotFrame.categoryOverhang(categories, spacing: spacing) - spacing / 2)).rounded(.up)
        let plotWidth = spacing * Double(categories.count)
        let right = left + plotWidth, bottom = top + plotHeight
        var canvas = SVGCanvas()
        PlotFrame.drawTitle(title, into: &canvas)
        PlotFrame.drawVerticalAxis(axis, into: &canvas, left: left, right: right, top: top, bottom: bottom)
        let zero = axis.position(0, start: bottom, end: top)
        let centers = (0..<categories.count).map { left + (Double($0) + 0.5) * spacing }
        for (s, entry) in series.enumerated() {
            let color = LinePlot.color(s)
            for (c, v) in entry.values.enumerated() {
                let end = v.isFinite ? axis.position(Double(v), start: bottom, end: top) : zero
                let x = centers[c] - (spacing - 8) / 2 + Double(s) * barWidth
                let tip = (entry.name.isEmpty ? "" : entry.name + "\n") + "\(categories.hoverText(c)): \(ReportNumber.compact(v))"
                canvas.rect(x: x, y: Swift.min(zero, end), width: barWidth * 0.92, height: Swift.abs(end - zero),
                            fill: color, extra: [("data-tip", tip)])
            }
        }
        let labelHeight = PlotFrame.drawCategoryLabels(categories, centers: centers, spacing: spacing, into: &canvas,
                                                       top: bottom)
        let entries = series.enumerated().map { (s, entry) in (name: entry.name, color: LinePlot.color(s)) }
        PlotFrame.drawLegend(entries, into: &canvas, x: left, y: top - 14, dots: true)
        PlotFrame.drawAxisTitles(x: xTitle, y: yTitle, into: &canvas, left: left, right: right, top: top,
                                 bottom: bottom, xTitleY: bottom + labelHeight + 14)
        let width = Swift.max(Swift.max(right, left + PlotFrame.legendWidth(entries.map(\.name))) + pad,
                              PlotFrame.titleWidth(title))
        let height = bottom + labelHeight + (xTitle == nil ? 0 : 22) + pad
        return canvas.svg(width: width, height: height)
    }
}
