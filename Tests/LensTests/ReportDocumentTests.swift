import Foundation
import Lens
import Testing

@Suite struct ReportDocumentTests {
    @Test func wholeDocumentIsWellFormedXMLAndSelfContained() {
        let html = ReportSample.report().html()
        #expect(ReportXML.parse(html) == nil)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("src="))
        #expect(!html.contains("<link"))
        #expect(!html.contains("@import"))
        #expect(!html.contains("url("))
        let external = html.components(separatedBy: "http").count - 1
        let namespaces = html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1
        #expect(external == namespaces)
        #expect(html.contains("<script>") && html.contains("<style>"))
    }

    @Test func sectionsAreListedAndAnchored() {
        var report = HTMLReport(title: "T <1>", subtitle: "s & t")
        report.paragraph("intro")
        report.section("First")
        report.list(["one `x`", "two"])
        report.section("Second")
        report.heading("Sub")
        report.preformatted("a < b\n  indented")
        let html = report.html()
        #expect(html.contains("<title>T &lt;1&gt;</title>"))
        #expect(html.contains("<a href=\"#section-1\">First</a>"))
        #expect(html.contains("<section id=\"section-2\"><h2>Second</h2>"))
        #expect(html.contains("<ul><li>one <code>x</code></li><li>two</li></ul>"))
        #expect(html.contains("<pre>a &lt; b\n  indented</pre>"))
        #expect(html.range(of: "<p>intro</p>")!.lowerBound < html.range(of: "<section")!.lowerBound)
    }

    @Test func renderingIsDeterministic() {
        #expect(ReportSample.report().html() == ReportSample.report().html())
    }

    @Test func writesTheFileAndNamesAnUnwritablePath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lens-report-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = ReportSample.report()
        let url = dir.appendingPathComponent("r.html")
        try report.write(to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == report.html())
        let bad = dir.appendingPathComponent("missing/r.html").path
        #expect {
            try report.write(toPath: bad)
        } throws: { error in
            guard case ReportError.cannotWrite(let path, _) = error else { return false }
            return path == bad && "\(error)".contains(bad)
        }
    }
}
