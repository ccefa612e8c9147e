import Foundation
import Lens
import Testing

@Suite struct ReportTextTests {
    @Test func escapesMarkupCharacters() {
        #expect(Markup.escape("<|endoftext|> & \"q\" 'a'") == "&lt;|endoftext|&gt; &amp; &quot;q&quot; &#39;a&#39;")
        #expect(Markup.escape("a\u{1}b\nc") == "a\u{FFFD}b\nc")
        #expect(Markup.escape("ĠParis é") == "ĠParis é")
        #expect(Markup.attribute("a\n<b>\t\"") == "a&#10;&lt;b&gt;&#9;&quot;")
    }

    @Test func encodesJSONStrings() {
        #expect(Markup.jsonString("a\"b\\c\nd\u{1}") == "\"a\\\"b\\\\c\\nd\\u0001\"")
        #expect(Markup.jsonArray(["x", "<y>"]) == "[\"x\",\"<y>\"]")
        let decoded = try? JSONDecoder().decode([String].self, from: Data(Markup.jsonArray(["a\"", "\\", "\t←"]).utf8))
        #expect(decoded == ["a\"", "\\", "\t←"])
    }

    @Test func showsByteLevelTokensReadably() {
        #expect(TokenDisplay.label("ĠParis") == "␣Paris")
        #expect(TokenDisplay.label("Ġ") == "␣")
        #expect(TokenDisplay.label("Ċ") == "↵")
        #expect(TokenDisplay.label("ĉ") == "⇥")
        #expect(TokenDisplay.label("ĠĠĠ") == "␣␣␣")
        #expect(TokenDisplay.label("Ã©t") == "ét")
        #expect(TokenDisplay.label("âĢĶ") == "—")
        #expect(TokenDisplay.label("âĢ") == "\\xE2\\x80")
        #expect(TokenDisplay.label("<|endoftext|>") == "<|endoftext|>")
        #expect(TokenDisplay.label("Paris") == "Paris")
        #expect(TokenDisplay.label("é") == "é")
    }

    @Test func showsSentencePieceAndPlainTokensReadably() {
        #expect(TokenDisplay.label("▁the") == "␣the")
        #expect(TokenDisplay.label("<0x0A>") == "↵")
        #expect(TokenDisplay.label("<0xE2>") == "\\xE2")
        #expect(TokenDisplay.label(" Paris\n") == "␣Paris↵")
        #expect(TokenDisplay.label("a\u{7}") == "a\\x07")
    }

    @Test func truncatesLongLabels() {
        #expect(TokenDisplay.truncated("abcdefgh", maxLength: 5) == "abcd…")
        #expect(TokenDisplay.truncated("abc", maxLength: 5) == "abc")
    }

    @Test func formatsNumbersCompactly() {
        #expect(ReportNumber.compact(Float(0.123456)) == "0.1235")
        #expect(ReportNumber.compact(Float(1234.5)) == "1234" || ReportNumber.compact(Float(1234.5)) == "1235")
        #expect(ReportNumber.compact(123456.0) == "1.235e5")
        #expect(ReportNumber.compact(1e-7) == "1e-7")
        #expect(ReportNumber.compact(-2.5) == "-2.5")
        #expect(ReportNumber.compact(-0.0) == "0")
        #expect(ReportNumber.compact(Float.nan) == "NaN")
        #expect(ReportNumber.compact(-Float.infinity) == "-inf")
        #expect(ReportNumber.compact(3.14159, digits: 3) == "3.14")
    }

    @Test func inlineCodeSpansAndTables() {
        var report = HTMLReport(title: "t")
        report.paragraph("run `lens demo` then `x<y` and a lone ` tick")
        report.table(headers: ["name", "value"], rows: [["a&b", "1.5"], ["c", "-2e3"], ["short"]])
        let html = report.html()
        #expect(html.contains("<p>run <code>lens demo</code> then <code>x&lt;y</code> and a lone ` tick</p>"))
        #expect(html.contains("<td>a&amp;b</td><td class=\"num\">1.5</td>"))
        #expect(html.contains("<td class=\"num\">-2e3</td>"))
        #expect(html.contains("<tr><td>short</td><td></td></tr>"))
    }
}
