import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// XML checks for report output: well-formedness and the list of elements with attributes.
enum ReportXML {
    /// One parsed element.
    struct Element {
        var name: String
        var attributes: [String: String]
        /// Character data directly inside the element.
        var text: String
    }

    /// nil when `text` is well-formed XML, else the parser's error description (with line).
    static func parse(_ text: String) -> String? {
        let parser = XMLParser(data: Data(text.utf8))
        if parser.parse() { return nil }
        return "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "unknown")"
    }

    /// All elements in document order, or nil when `text` is not well-formed.
    static func elements(_ text: String) -> [Element]? {
        let parser = XMLParser(data: Data(text.utf8))
        let collector = Collector()
        parser.delegate = collector
        return parser.parse() ? collector.elements : nil
    }

    /// Elements named `name` whose attributes include every pair in `having`.
    static func elements(_ text: String, named name: String, having: [String] = []) -> [Element] {
        (elements(text) ?? []).filter { e in e.name == name && having.allSatisfy { e.attributes[$0] != nil } }
    }

    private final class Collector: NSObject, XMLParserDelegate {
        var elements: [Element] = []
        var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            open.append(elements.count)
            elements.append(Element(name: elementName, attributes: attributeDict, text: ""))
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            open.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let k = open.last { elements[k].text += string }
        }
    }
}
