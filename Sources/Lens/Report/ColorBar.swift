/// The vertical colour bar drawn beside heatmaps and attention patterns.
struct ColorBar {
    static let barWidth = 14.0
    static let steps = 64
    static let fontSize = 11.0

    let mapping: ColorMapping
    let title: String?

    /// Tick values: multiples of a nice step inside the mapped range (zero among them when in range).
    var ticks: [Double] {
        AxisTicks.inside(Double(mapping.lower)...Double(mapping.upper), target: 6)
    }

    /// Width taken by the bar, its tick labels and its title.
    var width: Double {
        let labels = ticks.map { SVGCanvas.textWidth(ReportNumber.compact($0), size: Self.fontSize) }
        return Self.barWidth + 6 + (labels.max() ?? 0) + (title == nil ? 0 : 20)
    }

    /// Draws the bar with its top-left corner at (x, y): upper value at the top. Each band is a
    /// rectangle (no gradient ids, so many figures can share one page); bands overlap by half a
    /// pixel to avoid seams.
    func draw(into canvas: inout SVGCanvas, x: Double, y: Double, height: Double) {
        let band = height / Double(Self.steps)
        var bands = SVGCanvas()
        for k in 0..<Self.steps {
            let t = 1 - (Double(k) + 0.5) / Double(Self.steps)
            let value = Double(mapping.lower) + t * Double(mapping.upper - mapping.lower)
            let h = k == Self.steps - 1 ? band : band + 0.5
            bands.rect(x: x, y: y + Double(k) * band, width: Self.barWidth, height: h,
                       fill: mapping.color(Float(value)).hex)
        }
        canvas.raw("<g class=\"lens-colorbar\">" + bands.body)
        canvas.raw("<rect x=\"\(SVGCanvas.n(x))\" y=\"\(SVGCanvas.n(y))\" width=\"\(SVGCanvas.n(Self.barWidth))\" height=\"\(SVGCanvas.n(height))\" fill=\"none\" stroke=\"#888\" stroke-width=\"0.5\"/>")
        let span = Double(mapping.upper - mapping.lower)
        var labelRight = x + Self.barWidth + 6
        for tick in ticks {
            let ty = y + (Double(mapping.upper) - tick) / span * height
            canvas.line(x1: x + Self.barWidth, y1: ty, x2: x + Self.barWidth + 3, y2: ty, stroke: "#555")
            let label = ReportNumber.compact(tick)
            canvas.text(label, x: x + Self.barWidth + 5, y: ty, size: Self.fontSize, baseline: "central")
            labelRight = Swift.max(labelRight, x + Self.barWidth + 5 + SVGCanvas.textWidth(label, size: Self.fontSize))
        }
        if let title {
            canvas.text(title, x: labelRight + 12, y: y + height / 2, size: 12, anchor: "middle",
                        baseline: "central", rotate: 90, mono: false)
        }
        canvas.raw("</g>")
    }

    /// Draws the bar horizontally at (x, y), `width` long and 10 high, lower value at the left, tick labels
    /// below; returns the right edge of what it drew.
    @discardableResult
    func drawHorizontal(into canvas: inout SVGCanvas, x: Double, y: Double, width: Double) -> Double {
        let band = width / Double(Self.steps), height = 10.0
        var bands = SVGCanvas()
        for k in 0..<Self.steps {
            let value = Double(mapping.lower) + (Double(k) + 0.5) / Double(Self.steps) * Double(mapping.upper - mapping.lower)
            bands.rect(x: x + Double(k) * band, y: y, width: k == Self.steps - 1 ? band : band + 0.5, height: height,
                       fill: mapping.color(Float(value)).hex)
        }
        canvas.raw("<g class=\"lens-colorbar\">" + bands.body)
        canvas.raw("<rect x=\"\(SVGCanvas.n(x))\" y=\"\(SVGCanvas.n(y))\" width=\"\(SVGCanvas.n(width))\" height=\"\(SVGCanvas.n(height))\" fill=\"none\" stroke=\"#888\" stroke-width=\"0.5\"/>")
        let span = Double(mapping.upper - mapping.lower)
        var right = x + width
        for tick in AxisTicks.inside(Double(mapping.lower)...Double(mapping.upper), target: 4) {
            let tx = x + (tick - Double(mapping.lower)) / span * width
            let label = ReportNumber.compact(tick)
            canvas.text(label, x: tx, y: y + height + 3, size: Self.fontSize - 1, anchor: "middle", baseline: "hanging")
            right = Swift.max(right, tx + SVGCanvas.textWidth(label, size: Self.fontSize - 1) / 2)
        }
        canvas.raw("</g>")
        return right
    }
}
