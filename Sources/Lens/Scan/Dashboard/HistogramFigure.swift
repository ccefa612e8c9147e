/// A unit's activation histogram as an inline SVG: one bar per log-spaced bin from the first to the last non-empty
/// bin (negative bins left of positive ones), the |activation| edges of every octave on the axis, counts on hover.
struct HistogramFigure {
    let bins: HistogramBins
    let counts: [Int64]

    func svg(width: Double = 520, height: Double = 120) -> String {
        guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 }) else {
            return "<p class=\"lens-muted\">No non-zero activation.</p>"
        }
        let shown = Array(first...last), top = Double(counts.max() ?? 1)
        let left = 8.0, bottom = height - 22, barWidth = width / Double(shown.count)
        // Octave labels at least 44 px apart.
        let octaveWidth = barWidth * Double(bins.binsPerOctave), every = Swift.max(1, Int((44 / octaveWidth).rounded(.up)))
        var canvas = SVGCanvas()
        canvas.line(x1: left, y1: bottom, x2: left + width, y2: bottom, stroke: "#888")
        for (k, b) in shown.enumerated() {
            let (lower, upper) = bins.edges(of: b)
            let h = Double(counts[b]) / top * (bottom - 8)
            let x = left + Double(k) * barWidth
            let tip = "[\(ReportNumber.compact(lower)), \(ReportNumber.compact(upper))): \(counts[b]) tokens"
            canvas.rect(x: x + 0.5, y: bottom - h, width: max(1, barWidth - 1), height: max(h, counts[b] > 0 ? 1 : 0),
                        fill: b >= bins.side ? "#2166ac" : "#b2182b", extra: [("data-tip", tip)])
            let p = b >= bins.side ? b - bins.side : bins.side - 1 - b
            if p > 0, p < bins.side - 1, (p - 1) % (bins.binsPerOctave * every) == 0, b >= bins.side {
                canvas.text(ReportNumber.compact(lower, digits: 3), x: x, y: bottom + 14, size: 9, anchor: "middle", fill: "#555")
            }
        }
        return canvas.svg(width: width + 2 * left, height: height)
    }
}
