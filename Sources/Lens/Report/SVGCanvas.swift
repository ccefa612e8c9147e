/// An SVG fragment under construction: elements are appended as text in call order, so the
/// output is deterministic. Coordinates print with at most 2 decimals.
struct SVGCanvas {
    /// Monospace font stack for labels (local fonts only).
    static let monoFont = "ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace"
    /// Advance width of a monospace character, in ems (DejaVu Sans Mono: 0.602).
    static let monoAdvance = 0.61

    /// Approximate width in pixels of `text` set in the monospace label font at `size`.
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(text.count) * size * monoAdvance
    }

    private(set) var body = ""

    /// An attribute list `name="value"` with values escaped, in the given order.
    static func attributes(_ pairs: [(String, String)]) -> String {
        pairs.map { " \($0.0)=\"\(Markup.attribute($0.1))\"" }.joined()
    }

    /// Formats a coordinate.
    static func n(_ value: Double) -> String { ReportNumber.coordinate(value) }

    /// Appends raw, already well-formed markup.
    mutating func raw(_ markup: String) { body += markup }

    /// A rectangle; `extra` attributes (e.g. hover data) follow the geometry.
    mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                       extra: [(String, String)] = []) {
        body += "<rect x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" fill=\"\(fill)\"\(Self.attributes(extra))/>"
    }

    /// A straight line.
    mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String,
                       width: Double = 1, extra: [(String, String)] = []) {
        body += "<line x1=\"\(Self.n(x1))\" y1=\"\(Self.n(y1))\" x2=\"\(Self.n(x2))\" y2=\"\(Self.n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(Self.n(width))\"\(Self.attributes(extra))/>"
    }

    /// A circle.
    mutating func circle(cx: Double, cy: Double, r: Double, fill: String, extra: [(String, String)] = []) {
        body += "<circle cx=\"\(Self.n(cx))\" cy=\"\(Self.n(cy))\" r=\"\(Self.n(r))\" fill=\"\(fill)\"\(Self.attributes(extra))/>"
    }

    /// Text anchored at (x, y); `rotate` in degrees about the anchor; `mono` picks the label font.
    mutating func text(_ content: String, x: Double, y: Double, size: Double, anchor: String = "start",
                       baseline: String = "auto", rotate: Double = 0, mono: Bool = true,
                       weight: String? = nil, fill: String = "#222", extra: [(String, String)] = []) {
        var attrs: [(String, String)] = [("x", Self.n(x)), ("y", Self.n(y)), ("font-size", Self.n(size))]
        if mono { attrs.append(("font-family", Self.monoFont)) }
        if anchor != "start" { attrs.append(("text-anchor", anchor)) }
        if baseline != "auto" { attrs.append(("dominant-baseline", baseline)) }
        if rotate != 0 { attrs.append(("transform", "rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))")) }
        if let weight { attrs.append(("font-weight", weight)) }
        if fill != "#222" { attrs.append(("fill", fill)) }
        body += "<text\(Self.attributes(attrs + extra))>\(Markup.escape(content))</text>"
    }

    /// The finished `<svg>` element of the given size; `attributes` go on the root element.
    func svg(width: Double, height: Double, attributes: [(String, String)] = []) -> String {
        let w = Self.n(width.rounded(.up)), h = Self.n(height.rounded(.up))
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(w)\" height=\"\(h)\" viewBox=\"0 0 \(w) \(h)\"\(Self.attributes(attributes))>\(body)</svg>"
    }
}
