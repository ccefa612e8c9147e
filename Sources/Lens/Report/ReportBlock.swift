/// One piece of report content. Text is plain (escaped on output); in paragraphs and list items
/// a span between backticks is set as code.
public enum ReportBlock: Sendable {
    /// A sub-heading inside a section (`<h3>`).
    case heading(String)
    /// A paragraph.
    case paragraph(String)
    /// A bulleted list.
    case list([String])
    /// Monospaced text kept as is (a printed summary, a command line).
    case preformatted(String)
    /// A table.
    case table(ReportTable)
    /// A figure with an optional caption below it.
    case figure(any ReportFigure, caption: String?)
}

/// A table of text cells; cells that read as numbers are right-aligned.
public struct ReportTable: Sendable {
    /// Column headers.
    public var headers: [String]
    /// Rows of cells (a row may be shorter than `headers`; missing cells are empty).
    public var rows: [[String]]
    /// Caption above the table.
    public var caption: String?

    /// A table with the given headers and rows.
    public init(headers: [String], rows: [[String]], caption: String? = nil) {
        self.headers = headers
        self.rows = rows
        self.caption = caption
    }
}

/// A titled part of a report, listed in the report's table of contents.
public struct ReportSection: Sendable {
    /// Section title (`<h2>`).
    public var title: String
    /// Content in order.
    public var blocks: [ReportBlock]

    /// A section with the given title and content.
    public init(_ title: String, blocks: [ReportBlock] = []) {
        self.title = title
        self.blocks = blocks
    }

    /// Appends a sub-heading.
    public mutating func heading(_ text: String) { blocks.append(.heading(text)) }
    /// Appends a paragraph.
    public mutating func paragraph(_ text: String) { blocks.append(.paragraph(text)) }
    /// Appends a bulleted list.
    public mutating func list(_ items: [String]) { blocks.append(.list(items)) }
    /// Appends preformatted text.
    public mutating func preformatted(_ text: String) { blocks.append(.preformatted(text)) }
    /// Appends a table.
    public mutating func table(headers: [String], rows: [[String]], caption: String? = nil) {
        blocks.append(.table(ReportTable(headers: headers, rows: rows, caption: caption)))
    }
    /// Appends a figure.
    public mutating func figure(_ figure: any ReportFigure, caption: String? = nil) {
        blocks.append(.figure(figure, caption: caption))
    }
}
