import Foundation

/// Failure to save a report.
public enum ReportError: Error, CustomStringConvertible, Equatable {
    /// The file could not be written.
    case cannotWrite(path: String, reason: String)

    /// A message naming the file.
    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "cannot write report '\(path)': \(reason)"
        }
    }
}

/// A self-contained HTML report: title, optional intro blocks, titled sections with
/// paragraphs, tables and figures (inline SVG). The output is one file with inline CSS and a
/// small inline script (hover tooltip, attention head selector); it needs no network, CDN or
/// external font, and the same report always renders to the same bytes.
///
/// The document is also well-formed XML (no `<` or `&` in the script, only XML entities).
public struct HTMLReport: Sendable {
    /// Page title (`<h1>` and `<title>`).
    public var title: String
    /// A line under the title.
    public var subtitle: String?
    /// Blocks before the first section.
    public var intro: [ReportBlock]
    /// Sections in order.
    public var sections: [ReportSection]

    /// An empty report.
    public init(title: String, subtitle: String? = nil) {
        self.title = title
        self.subtitle = subtitle
        intro = []
        sections = []
    }

    /// Starts a new section; later block methods append to it.
    public mutating func section(_ title: String) { sections.append(ReportSection(title)) }

    /// Appends a finished section.
    public mutating func add(_ section: ReportSection) { sections.append(section) }

    /// Appends a block to the last section (or to the intro before any section).
    public mutating func add(_ block: ReportBlock) {
        if sections.isEmpty { intro.append(block) } else { sections[sections.count - 1].blocks.append(block) }
    }

    /// Appends a sub-heading.
    public mutating func heading(_ text: String) { add(.heading(text)) }
    /// Appends a paragraph.
    public mutating func paragraph(_ text: String) { add(.paragraph(text)) }
    /// Appends a bulleted list.
    public mutating func list(_ items: [String]) { add(.list(items)) }
    /// Appends preformatted text.
    public mutating func preformatted(_ text: String) { add(.preformatted(text)) }
    /// Appends a table.
    public mutating func table(headers: [String], rows: [[String]], caption: String? = nil) {
        add(.table(ReportTable(headers: headers, rows: rows, caption: caption)))
    }
    /// Appends a figure.
    public mutating func figure(_ figure: any ReportFigure, caption: String? = nil) {
        add(.figure(figure, caption: caption))
    }

    /// The whole document.
    public func html() -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
        out += "<title>\(Markup.escape(title))</title><style>\(ReportAssets.css)</style></head>\n<body><main>"
        out += "<header><h1>\(Markup.escape(title))</h1>"
        if let subtitle { out += "<p class=\"subtitle\">\(Markup.escape(subtitle))</p>" }
        out += "</header>\n"
        if sections.count > 1 {
            out += "<nav class=\"toc\"><ol>"
            for (k, section) in sections.enumerated() {
                out += "<li><a href=\"#section-\(k + 1)\">\(Markup.escape(section.title))</a></li>"
            }
            out += "</ol></nav>\n"
        }
        out += intro.map(Self.render).joined()
        for (k, section) in sections.enumerated() {
            out += "<section id=\"section-\(k + 1)\"><h2>\(Markup.escape(section.title))</h2>\n"
            out += section.blocks.map(Self.render).joined()
            out += "</section>\n"
        }
        out += "</main><div class=\"lens-tip\" hidden=\"hidden\"></div>\n<script>\(ReportAssets.script)</script></body></html>\n"
        return out
    }

    /// Writes `html()` as UTF-8 to `url`.
    public func write(to url: URL) throws {
        do {
            try Data(html().utf8).write(to: url, options: .atomic)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Writes `html()` as UTF-8 to the file at `path`.
    public func write(toPath path: String) throws {
        try write(to: URL(fileURLWithPath: path))
    }

    /// One block as HTML.
    static func render(_ block: ReportBlock) -> String {
        switch block {
        case .heading(let text): return "<h3>\(Markup.escape(text))</h3>\n"
        case .paragraph(let text): return "<p>\(inline(text))</p>\n"
        case .list(let items): return "<ul>" + items.map { "<li>\(inline($0))</li>" }.joined() + "</ul>\n"
        case .preformatted(let text): return "<pre>\(Markup.escape(text))</pre>\n"
        case .table(let table): return render(table)
        case .figure(let figure, let caption):
            let text = caption.map { "<figcaption>\(inline($0))</figcaption>" } ?? ""
            return "<figure class=\"lens-figure\"><div class=\"lens-scroll\">\(figure.html())</div>\(text)</figure>\n"
        }
    }

    /// A table; numeric cells get class "num" (right-aligned, tabular figures).
    static func render(_ table: ReportTable) -> String {
        var out = "<div class=\"lens-scroll\"><table>"
        if let caption = table.caption { out += "<caption>\(Markup.escape(caption))</caption>" }
        out += "<thead><tr>" + table.headers.map { "<th>\(Markup.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        let width = Swift.max(table.headers.count, table.rows.map(\.count).max() ?? 0)
        for row in table.rows {
            out += "<tr>"
            for k in 0..<width {
                let cell = k < row.count ? row[k] : ""
                let numeric = Double(cell.trimmingCharacters(in: .whitespaces)) != nil
                out += numeric ? "<td class=\"num\">\(Markup.escape(cell))</td>" : "<td>\(Markup.escape(cell))</td>"
            }
            out += "</tr>"
        }
        return out + "</tbody></table></div>\n"
    }

    /// Escaped text with `code spans` between backticks set in `<code>` (an unpaired backtick stays).
    static func inline(_ text: String) -> String {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3 else { return Markup.escape(text) }
        var out = ""
        for (k, part) in parts.enumerated() {
            if k % 2 == 0 {
                out += Markup.escape(part)
            } else if k == parts.count - 1 {
                out += Markup.escape("`" + part)
            } else {
                out += "<code>\(Markup.escape(part))</code>"
            }
        }
        return out
    }
}
