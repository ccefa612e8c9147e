/// Othello boards as figures, like the tutorial's `plot_board_values`: an 8×8 heatmap (rows A–H, columns 0–7)
/// with optional text per square, and many boards with titles in one figure.
public enum OthelloPlots {
    /// Row labels A…H.
    public static let rows = AxisLabels.plain(OthelloSquares.rowLetters)
    /// Column labels 0…7.
    public static let columns = AxisLabels.indices(8)

    /// One board of `values` (`[8][8]`, RdBu around zero unless `colors` says otherwise) with `text` printed on
    /// its squares.
    public static func board(_ values: [[Float]], text: [[String]]? = nil, title: String? = nil,
                             colors: ColorMapping? = nil, colorBarTitle: String? = nil) -> Heatmap {
        Heatmap(values, x: columns, y: rows, title: title, xTitle: "column", yTitle: "row", colors: colors,
                colorBarTitle: colorBarTitle, showValues: text == nil, cellLabels: text)
    }

    /// Boards `[n][8][8]` titled `titles`, on one colour scale (`board_titles=[...]`).
    public static func boards(_ values: [[[Float]]], titles: [String], text: [[[String]]]? = nil, title: String? = nil,
                              colors: ColorMapping? = nil, colorBarTitle: String? = nil, columns: Int? = nil) -> HeatmapGrid {
        ensure(values.count == titles.count, "OthelloPlots.boards: \(titles.count) titles for \(values.count) boards")
        let panels = values.indices.map { HeatmapGrid.Panel(titles[$0], values: values[$0], cellLabels: text?[$0]) }
        return HeatmapGrid(panels, x: Self.columns, y: rows, title: title, xTitle: "column", yTitle: "row", colors: colors,
                           colorBarTitle: colorBarTitle, columns: columns, panelSize: 200)
    }

    /// Board classes (0 blank, 1 theirs, 2 mine) as values for `board`: mine +1, theirs −1, blank 0.
    public static func signedClasses(_ classes: [[Float]]) -> [[Float]] {
        classes.map { $0.map { $0 == 2 ? 1 : ($0 == 1 ? -1 : 0) } }
    }

    /// Text marking `legal` squares (labels) with "o", as the tutorial's legal-move annotation.
    public static func legalText(_ legal: [String]) -> [[String]] {
        let marked = Set(legal)
        return (0..<8).map { r in (0..<8).map { c in marked.contains(OthelloSquares.label(8 * r + c)) ? "o" : "" } }
    }
}
