/// Signed bars for attributions (direct logit attribution per layer or head, top tokens):
/// positive values blue and negative red (the ends of RdBu, matching `Heatmap`), drawn from a
/// zero line, with the value printed at each bar's end and in hover text "label: value".
public struct BarChart: ReportFigure {
    /// Bar direction.
    public enum Orientation: Sendable, Equatable {
        /// Categories down the left, bars extend left/right.
        case horizontal
        /// Categories along the bottom, bars extend up/down.
        case vertical
    }

    /// One value per bar.
    public var values: [Float]
    /// Bar labels.
    public var labels: AxisLabels
    /// Bar direction.
    public var orientation: Orientation
    /// Title above the figure.
    public var title: String?
    /// Title of the value axis.
    public var valueTitle: String?
    /// Title of the category axis.
    public var labelTitle: String?
    /// Colours of positive and negative bars.
    public var positiveColor: RGBColor, negativeColor: RGBColor
    /// Length of the value axis in pixels.
    public var length: Double

    /// A bar chart; `labels.count` must equal `values.count` (traps otherwise).
    public init(_ values: [Float], labels: AxisLabels, orientation: Orientation = .horizontal,
                title: String? = nil, valueTitle: String? = nil, labelTitle: String? = nil,
                positiveColor: RGBColor = RGBColor(33, 102, 172), negativeColor: RGBColor = RGBColor(178, 24, 43),
                length: Double = 520) {
        ensure(labels.count == values.count, "BarChart: \(labels.count) labels for \(values.count) values")
        self.values = values
        self.labels = labels
        self.orientation = orientation
        self.title = title
        self.valueTitle = valueTitle
        self.labelTitle = labelTitle
        self.positiveColor = positiveColor
        self.negativeColor = negativeColor
        self.length = length
    }

    /// The `<svg>` element.
    public func html() -> String { svg() }

    /// The `<svg>` element.
    public func svg() -> String {
        orientation == .horizontal ? horizontalSVG() : verticalSVG()
    }

    static let valueFont = 10.0

    private var axis: ValueAxis { ValueAxis(values: values.map(Double.init), including: [0]) }
    private var texts: [String] { values.map { ReportNumber.compact($0) } }
    private var textRoom: Double {
        (texts.map { SVGCanvas.textWidth($0, size: Self.valueFont) }.max() ?? 0) + 6
    }

    private func fill(_ v: Float) -> String { (v < 0 ? negativeColor : positiveColor).hex }

    private func hover(_ i: Int) -> [(String, String)] {
        [("data-tip", "\(labels.hoverText(i)): \(texts[i])")]
    }

    private func horizontalSVG() -> String {
        let pad = PlotFrame.pad, axis = self.axis
        let band = 22.0, thickness = 16.0
        let labelWidth = (0..<labels.count).map { SVGCanvas.textWidth(labels.axisText($0), size: PlotFrame.tickFont) }.max() ?? 0
        let top = pad + (title == nil ? 0 : 30)
        let left = (pad + (labelTitle == nil ? 0 : 22) + labelWidth + 8 + (values.contains { $0 < 0 } ? textRoom : 0)).rounded(.up)
        let right = left + length, bottom = top + band * Double(values.count)
        var canvas = SVGCanvas()
        PlotFrame.drawTitle(title, into: &canvas)
        PlotFrame.drawHorizontalAxis(axis, into: &canvas, left: left, right: right, top: top, bottom: bottom)
        let zero = axis.position(0, start: left, end: right)
        for (i, v) in values.enumerated() {
            let cy = top + (Double(i) + 0.5) * band
            let end = v.isFinite ? axis.position(Double(v), start: left, end: right) : zero
            canvas.rect(x: Swift.min(zero, end), y: cy - thickness / 2, width: abs(end - zero), height: thickness,
                        fill: fill(v), extra: hover(i))
            let text = labels.axisText(i)
            canvas.text(text, x: left - 6 - (values.contains { $0 < 0 } ? textRoom : 0), y: cy,
                        size: PlotFrame.tickFont, anchor: "end", baseline: "central", extra: hover(i))
            canvas.text(texts[i], x: v < 0 ? end - 4 : end + 4, y: cy, size: Self.valueFont,
                        anchor: v < 0 ? "end" : "start", baseline: "central", fill: "#555",
                        extra: [("pointer-events", "none")])
        }
        PlotFrame.drawAxisTitles(x: valueTitle, y: labelTitle, into: &canvas, left: left, right: right, top: top,
                                 bottom: bottom, xTitleY: bottom + PlotFrame.tickFont + 24)
        let height = bottom + PlotFrame.tickFont + 10 + (valueTitle == nil ? 0 : 22) + pad
        return canvas.svg(width: Swift.max(right + textRoom + pad, PlotFrame.titleWidth(title)), height: height)
    }

    private func verticalSVG() -> String {
        let pad = PlotFrame.pad, axis = self.axis
        let spacing = Swift.max(14, Swift.min(48, 720 / Double(Swift.max(1, values.count))))
        let thickness = spacing * 0.72
        let showValues = textRoom - 6 <= spacing - 2
        let gap = showValues ? 16.0 : 4
        let top = pad + (title == nil ? 0 : 30) + gap
        let left = (pad + (valueTitle == nil ? 0 : 22) + Swift.max(axis.labelWidth(size: PlotFrame.tickFont) + 8,
                   PlotFrame.categoryOverhang(labels, spacing: spacing) - spacing / 2)).rounded(.up)
        let plotWidth = spacing * Double(values.count)
        let right = left + plotWidth, bottom = top + length * 0.6
        var canvas = SVGCanvas()
        PlotFrame.drawTitle(title, into: &canvas)
        PlotFrame.drawVerticalAxis(axis, into: &canvas, left: left, right: right, top: top, bottom: bottom)
        let zero = axis.position(0, start: bottom, end: top)
        let centers = (0..<values.count).map { left + (Double($0) + 0.5) * spacing }
        for (i, v) in values.enumerated() {
            let end = v.isFinite ? axis.position(Double(v), start: bottom, end: top) : zero
            canvas.rect(x: centers[i] - thickness / 2, y: Swift.min(zero, end), width: thickness,
                        height: abs(end - zero), fill: fill(v), extra: hover(i))
            if showValues {
                canvas.text(texts[i], x: centers[i], y: v < 0 ? end + 3 : end - 3, size: Self.valueFont,
                            anchor: "middle", baseline: v < 0 ? "hanging" : "auto", fill: "#555",
                            extra: [("pointer-events", "none")])
            }
        }
        let labelTop = bottom + (showValues && values.contains { $0 < 0 } ? gap : 0)
        let labelHeight = PlotFrame.drawCategoryLabels(labels, centers: centers, spacing: spacing, into: &canvas,
                                                       top: labelTop)
        PlotFrame.drawAxisTitles(x: labelTitle, y: valueTitle, into: &canvas, left: left, right: right, top: top,
                                 bottom: bottom, xTitleY: labelTop + labelHeight + 14)
        let height = labelTop + labelHeight + (labelTitle == nil ? 0 : 22) + pad
        return canvas.svg(width: Swift.max(right + pad, PlotFrame.titleWidth(title)), height: height)
    }
}
