/// A picture that can be placed in an `HTMLReport`.
public protocol ReportFigure: Sendable {
    /// The figure as a self-contained HTML fragment (an inline `<svg>`, possibly with a few
    /// controls), well-formed XML, with hover data in `data-*` attributes read by the report's
    /// tooltip script.
    func html() -> String
}
