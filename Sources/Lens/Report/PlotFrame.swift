/// A linear value axis: maps a domain onto a pixel range and draws ticks and grid lines.
struct ValueAxis {
    let domain: ClosedRange<Double>
    let ticks: [Double]

    /// An axis covering `values` (finite ones; `extra` values such as 0 are included too) padded
    /// 5 % on each side that is not exactly zero, or exactly `fixed` when given; ticks are nice
    /// multiples inside the domain.
    init(values: [Double], including extra: [Double] = [], fixed: ClosedRange<Double>? = nil) {
        if let fixed, fixed.upperBound > fixed.lowerBound {
            domain = fixed
        } else {
            let finite = (values + extra).filter(\.isFinite)
            var lo = finite.min() ?? 0, hi = finite.max() ?? 1
            if hi - lo <= 0 {
                let spread = lo == 0 ? 1 : abs(lo) * 0.1
                lo -= spread
                hi += spread
            }
            let pad = (hi - lo) * 0.05
            domain = (lo == 0 ? 0 : lo - pad)...(hi == 0 ? 0 : hi + pad)
        }
        ticks = AxisTicks.inside(domain, target: 6)
    }

    /// Position of `value` in a pixel range (`start` maps the lower bound).
    func position(_ value: Double, start: Double, end: Double) -> Double {
        start + (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound) * (end - start)
    }

    /// Width of the widest tick label.
    func labelWidth(size: Double) -> Double {
        ticks.map { SVGCanvas.textWidth(ReportNumber.compact($0), size: size) }.max() ?? 0
    }
}

/// Shared chrome of the x/y plots: title, plot rectangle, axis titles, legend.
struct PlotFrame {
    static let pad = 10.0
    static let tickFont = 11.0

    /// Title at the top left.
    static func drawTitle(_ title: String?, into canvas: inout SVGCanvas) {
        guard let title else { return }
        canvas.text(title, x: pad, y: pad + 14, size: 15, mono: false, weight: "600")
    }

    /// Width a figure needs for its title (15 px bold sans, about 0.62 em per character) plus padding.
    static func titleWidth(_ title: String?) -> Double {
        title.map { 2 * pad + Double($0.count) * 15 * 0.62 } ?? 0
    }

    /// Horizontal grid lines and labels of a vertical value axis at the plot's left edge;
    /// the zero line (if inside) darker.
    static func drawVerticalAxis(_ axis: ValueAxis, into canvas: inout SVGCanvas, left: Double, right: Double,
                                 top: Double, bottom: Double) {
        for tick in axis.ticks {
            let y = axis.position(tick, start: bottom, end: top)
            let zero = tick == 0
            canvas.line(x1: left, y1: y, x2: right, y2: y, stroke: zero ? "#888" : "#e6e6e6", width: zero ? 1 : 0.8)
            canvas.text(ReportNumber.compact(tick), x: left - 6, y: y, size: tickFont, anchor: "end",
                        baseline: "central")
        }
    }

    /// Vertical grid lines and labels of a horizontal value axis below the plot.
    static func drawHorizontalAxis(_ axis: ValueAxis, into canvas: inout SVGCanvas, left: Double, right: Double,
                                   top: Double, bottom: Double) {
        for tick in axis.ticks {
            let x = axis.position(tick, start: left, end: right)
            let zero = tick == 0
            canvas.line(x1: x, y1: top, x2: x, y2: bottom, stroke: zero ? "#888" : "#e6e6e6", width: zero ? 1 : 0.8)
            canvas.text(ReportNumber.compact(tick), x: x, y: bottom + 5, size: tickFont, anchor: "middle",
                        baseline: "hanging")
        }
    }

    /// Axis titles: x centred under the plot at `xTitleY`, y rotated at the left edge.
    static func drawAxisTitles(x xTitle: String?, y yTitle: String?, into canvas: inout SVGCanvas,
                               left: Double, right: Double, top: Double, bottom: Double, xTitleY: Double) {
        if let xTitle {
            canvas.text(xTitle, x: (left + right) / 2, y: xTitleY, size: 12, anchor: "middle", mono: false)
        }
        if let yTitle {
            canvas.text(yTitle, x: pad + 8, y: (top + bottom) / 2, size: 12, anchor: "middle", baseline: "central",
                        rotate: -90, mono: false)
        }
    }

    /// Width of a one-line legend of `names`.
    static func legendWidth(_ names: [String]) -> Double {
        names.map { 26 + SVGCanvas.textWidth($0, size: tickFont) + 14 }.reduce(0, +)
    }

    /// A one-line legend (colour swatch, a line or a dot, and name per entry) starting at (x, y).
    static func drawLegend(_ entries: [(name: String, color: String)], into canvas: inout SVGCanvas,
                           x: Double, y: Double, dots: Bool = false) {
        var cursor = x
        for entry in entries {
            if dots {
                canvas.circle(cx: cursor + 9, cy: y, r: 4.5, fill: entry.color)
            } else {
                canvas.line(x1: cursor, y1: y, x2: cursor + 18, y2: y, stroke: entry.color, width: 3)
            }
            canvas.text(entry.name, x: cursor + 24, y: y, size: tickFont, baseline: "central")
            cursor += 26 + SVGCanvas.textWidth(entry.name, size: tickFont) + 14
        }
    }

    /// Category labels along the bottom at the given centres: horizontal when they fit the
    /// spacing, else rotated -45° and thinned so they do not overlap. Returns the height used.
    @discardableResult
    static func drawCategoryLabels(_ labels: AxisLabels, centers: [Double], spacing: Double,
                                   into canvas: inout SVGCanvas, top: Double) -> Double {
        let height = categoryLabelHeight(labels, spacing: spacing)
        let texts = (0..<labels.count).map { labels.axisText($0) }
        let rotated = isRotated(labels, spacing: spacing)
        let step = rotated ? Swift.max(1, Int((tickFont * 1.6 / spacing).rounded(.up))) : 1
        for k in stride(from: 0, to: texts.count, by: step) {
            let full = labels.hoverText(k)
            let tip: [(String, String)] = full == texts[k] ? [] : [("data-tip", full)]
            if rotated {
                canvas.text(texts[k], x: centers[k], y: top + 4 + tickFont * 0.35, size: tickFont, anchor: "end",
                            baseline: "central", rotate: -45, extra: tip)
            } else {
                canvas.text(texts[k], x: centers[k], y: top + 5, size: tickFont, anchor: "middle",
                            baseline: "hanging", extra: tip)
            }
        }
        return height
    }

    /// Whether category labels must be rotated at this spacing.
    static func isRotated(_ labels: AxisLabels, spacing: Double) -> Bool {
        widest(labels) > spacing - 4
    }

    /// Height taken below the plot by category labels.
    static func categoryLabelHeight(_ labels: AxisLabels, spacing: Double) -> Double {
        isRotated(labels, spacing: spacing) ? (widest(labels) + tickFont) * 0.7071 + 8 : tickFont + 8
    }

    /// How far rotated labels reach left of the first centre.
    static func categoryOverhang(_ labels: AxisLabels, spacing: Double) -> Double {
        isRotated(labels, spacing: spacing) && labels.count > 0
            ? (SVGCanvas.textWidth(labels.axisText(0), size: tickFont) + tickFont * 0.5) * 0.7071 : 0
    }

    private static func widest(_ labels: AxisLabels) -> Double {
        (0..<labels.count).map { SVGCanvas.textWidth(labels.axisText($0), size: tickFont) }.max() ?? 0
    }
}
