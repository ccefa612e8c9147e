import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// XML well-formedness checks for report output.
enum ReportXML {
    /// nil when `text` is well-formed XML, else the parser's error description (with line).
    static func parse(_ text: String) -> String? {
        let parser = XMLParser(data: Data(text.utf8))
        if parser.parse() { return nil }
        return "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "unknown")"
    }
}
