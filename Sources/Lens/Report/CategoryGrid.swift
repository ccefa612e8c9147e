/// Geometry and labels of a grid of square cells with category labels: row labels right-aligned
/// on the left, column labels below (rotated -45° when wider than a cell). Shared by `Heatmap`
/// and `AttentionViewer`.
struct CategoryGrid {
    let rows: AxisLabels
    let columns: AxisLabels
    /// Side of a cell in pixels.
    let cell: Double
    /// Label font size.
    let fontSize: Double
    /// Draw every `rowStep`-th / `columnStep`-th label (cells smaller than the font).
    let rowStep: Int, columnStep: Int
    /// Whether column labels are rotated.
    let rotated: Bool
    /// Width of the widest column label as drawn.
    let widestColumnLabel: Double

    static let rotation = 0.7071

    /// A grid whose cell side fits `maxWidth` x `maxHeight`, clamped to `minCell...maxCell`.
    init(rows: AxisLabels, columns: AxisLabels, maxWidth: Double, maxHeight: Double,
         minCell: Double, maxCell: Double) {
        self.rows = rows
        self.columns = columns
        let fit = Swift.min(maxWidth / Double(Swift.max(1, columns.count)),
                            maxHeight / Double(Swift.max(1, rows.count)))
        cell = Swift.max(minCell, Swift.min(maxCell, fit)).rounded(.down)
        // Rotated labels one cell apart sit 0.71 cell apart across their baselines.
        fontSize = Swift.max(8, Swift.min(12, cell * 0.66))
        let labelPitch = fontSize * 1.05
        rowStep = Int((labelPitch / cell).rounded(.up))
        let font = fontSize
        widestColumnLabel = (0..<columns.count).map { SVGCanvas.textWidth(columns.axisText($0), size: font) }.max() ?? 0
        rotated = widestColumnLabel > cell - 2
        columnStep = rotated ? Int((labelPitch / Self.rotation / cell).rounded(.up)) : 1
    }

    var width: Double { Double(columns.count) * cell }
    var height: Double { Double(rows.count) * cell }

    /// Width of the widest row label.
    var rowLabelWidth: Double {
        (0..<rows.count).map { SVGCanvas.textWidth(rows.axisText($0), size: fontSize) }.max() ?? 0
    }

    /// Extent of the column labels below the grid.
    var columnLabelHeight: Double {
        rotated ? (widestColumnLabel + fontSize) * Self.rotation + 8 : fontSize + 6
    }

    /// How far rotated column labels reach left of the grid's left edge (0 if they do not).
    var columnLabelOverhang: Double {
        guard rotated else { return 0 }
        return (0..<columns.count).map { j in
            (SVGCanvas.textWidth(columns.axisText(j), size: fontSize) + fontSize * 0.5) * Self.rotation
                - (Double(j) + 0.5) * cell
        }.max().map { Swift.max(0, $0) } ?? 0
    }

    /// Row labels left of x, column labels below the grid at (x, y); each carries its index
    /// (`data-ri` / `data-ci`) so the script can highlight the labels of a hovered cell.
    func drawLabels(into canvas: inout SVGCanvas, x: Double, y: Double) {
        for i in stride(from: 0, to: rows.count, by: rowStep) {
            let text = rows.axisText(i)
            canvas.text(text, x: x - 5, y: y + (Double(i) + 0.5) * cell, size: fontSize, anchor: "end",
                        baseline: "central", extra: [("data-ri", String(i))] + tip(text, full: rows.hoverText(i)))
        }
        let below = y + height + 4
        for j in stride(from: 0, to: columns.count, by: columnStep) {
            let text = columns.axisText(j)
            let cx = x + (Double(j) + 0.5) * cell
            if rotated {
                canvas.text(text, x: cx, y: below + fontSize * 0.35, size: fontSize, anchor: "end",
                            baseline: "central", rotate: -45,
                            extra: [("data-ci", String(j))] + tip(text, full: columns.hoverText(j)))
            } else {
                canvas.text(text, x: cx, y: below, size: fontSize, anchor: "middle", baseline: "hanging",
                            extra: [("data-ci", String(j))] + tip(text, full: columns.hoverText(j)))
            }
        }
    }

    /// Hover data for a label whose drawn text differs from its hover form (cut, or a token's position).
    private func tip(_ drawn: String, full: String) -> [(String, String)] {
        drawn == full ? [] : [("data-tip", full)]
    }

    /// Root attributes read by the tooltip script: hover labels for rows and columns.
    func hoverAttributes(rowTitle: String, columnTitle: String, kind: String) -> [(String, String)] {
        [("class", "lens-grid"), ("data-kind", kind),
         ("data-rows", Markup.jsonArray((0..<rows.count).map(rows.hoverText))),
         ("data-cols", Markup.jsonArray((0..<columns.count).map(columns.hoverText))),
         ("data-rt", rowTitle), ("data-ct", columnTitle)]
    }
}
