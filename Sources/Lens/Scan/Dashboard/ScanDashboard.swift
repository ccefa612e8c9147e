import Foundation

/// The HTML of a scan's feature / neuron browser: an index of units sortable by frequency and max activation, and
/// one card per unit (statistics, histogram, logit effects, top and band examples with highlighted tokens).
/// `lens dashboard` writes it as one self-contained file; `lens serve` serves the same pieces page by page.
public enum ScanDashboard {
    /// A whole page: the report style sheet and script plus the dashboard's, `body` inside `<main>`.
    public static func page(title: String, subtitle: String?, body: String) -> String {
        var out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
        out += "<title>\(Markup.escape(title))</title><style>\(ReportAssets.css)\(css)</style></head>\n<body><main>"
        out += "<header><h1>\(Markup.escape(title))</h1>"
        if let subtitle { out += "<p class=\"subtitle\">\(Markup.escape(subtitle))</p>" }
        out += "</header>\n" + body
        out += "</main><div class=\"lens-tip\" hidden=\"hidden\"></div>\n<script>\(ReportAssets.script)\(script)</script></body></html>\n"
        return out
    }

    /// The index table; `link` gives each unit's href. Clicking a column header sorts by it.
    public static func index(_ summaries: [UnitSummary], setNames: [String], link: (UnitSummary) -> String) -> String {
        var out = "<div class=\"lens-scroll\"><table class=\"lens-index\"><thead><tr>"
        for (k, title) in ["unit", "set", "frequency", "max", "mean", "mean when firing"].enumerated() {
            out += "<th data-col=\"\(k)\" title=\"sort\">\(title)</th>"
        }
        out += "</tr></thead><tbody>"
        for s in summaries {
            let cells: [(String, String)] = [
                ("\(s.set * 10_000_000 + s.unit)", "<a href=\"\(Markup.attribute(link(s)))\">\(Markup.escape(s.label))</a>"),
                (setNames.indices.contains(s.set) ? setNames[s.set] : "\(s.set)", Markup.escape(setNames.indices.contains(s.set) ? setNames[s.set] : "\(s.set)")),
                ("\(s.frequency)", percent(s.frequency)), ("\(s.max ?? -3e38)", s.max.map { ReportNumber.compact($0) } ?? "–"),
                ("\(s.mean)", ReportNumber.compact(s.mean)), ("\(s.meanActive)", ReportNumber.compact(s.meanActive)),
            ]
            out += "<tr>" + cells.enumerated().map { k, cell in
                "<td\(k >= 2 ? " class=\"num\"" : "") data-s=\"\(Markup.attribute(cell.0))\">\(cell.1)</td>"
            }.joined() + "</tr>"
        }
        return out + "</tbody></table></div>\n"
    }

    /// One unit's card; `id` becomes the section's id (for links), `vocabulary` names the tokens.
    public static func card(_ card: UnitCard, vocabulary: [String], id: String? = nil) -> String {
        let s = card.summary
        var out = "<section class=\"lens-card\"\(id.map { " id=\"\(Markup.attribute($0))\"" } ?? "")>"
        out += "<h2>\(Markup.escape(s.label)) <small>\(Markup.escape(card.setName)) · \(Markup.escape(card.kind))</small></h2>"
        out += "<p class=\"lens-stats\">fires on \(percent(s.frequency)) of \(s.tokens) tokens · max "
            + "\(s.max.map { ReportNumber.compact($0) } ?? "–") · mean \(ReportNumber.compact(s.mean)) · mean when firing "
            + "\(ReportNumber.compact(s.meanActive))</p>"
        out += "<div class=\"lens-row\"><figure class=\"lens-figure\">\(HistogramFigure(bins: card.bins, counts: card.histogram).svg())"
            + "<figcaption>Activation histogram, log-spaced bins (blue: positive, red: negative; zeros left out).</figcaption></figure>"
        if let effects = card.logitEffects { out += logitTables(effects, vocabulary: vocabulary) }
        out += "</div>"
        let scale = s.max.map { Swift.max($0, 1e-6) } ?? 1
        out += "<h3>Top contexts</h3>"
        out += card.top.map { TokenHighlight(example: $0, vocabulary: vocabulary, scale: scale).html() }.joined()
        if !card.bands.isEmpty {
            out += "<h3>Examples by activation band</h3>"
            let firing = Double(Swift.max(1, card.bands.reduce(0) { $0 + $1.count }))
            for band in card.bands {
                out += "<h4>\(ReportNumber.compact(band.lower, digits: 3)) to \(ReportNumber.compact(band.upper, digits: 3)): "
                    + "\(band.count) tokens (\(percent(Double(band.count) / firing)) of positive activations)</h4>"
                out += band.examples.map { TokenHighlight(example: $0, vocabulary: vocabulary, scale: scale).html() }.joined()
            }
        }
        return out + "</section>\n"
    }

    /// The static browser: the index, then every card, shown one at a time through the URL fragment.
    public static func document(title: String, subtitle: String?, summaries: [UnitSummary], setNames: [String],
                                cards: [UnitCard], vocabulary: [String]) -> String {
        var body = "<p>\(summaries.count) units. Click a column to sort; click a unit for its card.</p>"
        body += "<div class=\"lens-static\">" + cards.map { card(
            $0, vocabulary: vocabulary, id: anchor($0.summary)) }.joined() + "</div>"
        body += index(summaries, setNames: setNames) { "#" + anchor($0) }
        return page(title: title, subtitle: subtitle, body: body)
    }

    /// The fragment id of a unit's card.
    public static func anchor(_ s: UnitSummary) -> String { "u\(s.set)-\(s.unit)" }

    static func logitTables(_ effects: LogitEffects, vocabulary: [String]) -> String {
        func rows(_ entries: [LogitEffects.Entry], _ color: String) -> String {
            entries.map { e in
                let text = e.token >= 0 && e.token < vocabulary.count ? vocabulary[e.token] : "<\(e.token)>"
                return "<tr><td><code>\(Markup.escape(TokenDisplay.label(text)))</code></td>"
                    + "<td class=\"num\" style=\"color:\(color)\">\(ReportNumber.compact(e.value, digits: 3))</td></tr>"
            }.joined()
        }
        return "<div class=\"lens-logits\"><table><caption>Boosted logits</caption>\(rows(effects.boosted, "#2166ac"))</table>"
            + "<table><caption>Suppressed logits</caption>\(rows(effects.suppressed, "#b2182b"))</table></div>"
    }

    static func percent(_ x: Double) -> String {
        x == 0 ? "0%" : x >= 0.001 ? String(format: "%.1f%%", x * 100) : String(format: "%.2g%%", x * 100)
    }

    static let css = #"""
.lens-card{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:10px 18px 16px;margin:0 0 22px}
.lens-card h2{border:none;margin:6px 0 2px}
.lens-card h2 small{font-size:14px;color:#666;font-weight:400}
.lens-card h4{font-size:14px;margin:14px 0 6px;color:#444}
.lens-stats{color:#444;margin:2px 0 8px}
.lens-row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
.lens-logits{display:flex;gap:12px}
.lens-logits caption{font-weight:600}
.lens-ex{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px;line-height:1.9;white-space:pre-wrap;border-bottom:1px solid #f0f2f5;padding:2px 0}
.lens-ex-v{display:inline-block;min-width:5em;color:#2166ac;font-weight:600}
.lens-ex-c{color:#999;font-size:11px;margin-left:10px}
.lens-ex span[data-a]{border-radius:2px}
.lens-ex .m{outline:1.5px solid #111}
.p1{background:rgba(33,102,172,.11)}.p2{background:rgba(33,102,172,.22)}.p3{background:rgba(33,102,172,.33)}
.p4{background:rgba(33,102,172,.44)}.p5{background:rgba(33,102,172,.55)}.p6{background:rgba(33,102,172,.66)}
.p7{background:rgba(33,102,172,.77);color:#fff}.p8{background:rgba(33,102,172,.88);color:#fff}.p9{background:#2166ac;color:#fff}
.n1{background:rgba(178,24,43,.11)}.n2{background:rgba(178,24,43,.22)}.n3{background:rgba(178,24,43,.33)}
.n4{background:rgba(178,24,43,.44)}.n5{background:rgba(178,24,43,.55)}.n6{background:rgba(178,24,43,.66)}
.n7{background:rgba(178,24,43,.77);color:#fff}.n8{background:rgba(178,24,43,.88);color:#fff}.n9{background:#b2182b;color:#fff}
.lens-muted{color:#888}
.lens-index th{cursor:pointer;user-select:none}
.lens-static .lens-card{display:none}
.lens-static .lens-card:target{display:block}
"""#

    /// Shows a token's activation on hover; sorts the index table by a clicked column (numbers by value,
    /// descending first).
    static let script = #"""
(function () {
  "use strict";
  document.addEventListener("mouseover", function (e) {
    var el = e.target.closest("[data-a]"), tip = document.querySelector(".lens-tip");
    if (el === null || tip === null) { return; }
    tip.textContent = JSON.stringify(el.textContent) + ": " + el.getAttribute("data-a");
    tip.hidden = false;
    tip.style.left = (e.clientX + 14) + "px";
    tip.style.top = (e.clientY + 16) + "px";
  });
  document.querySelectorAll("table.lens-index th").forEach(function (th) {
    th.addEventListener("click", function () {
      var table = th.closest("table"), body = table.querySelector("tbody");
      var col = Number(th.getAttribute("data-col"));
      var down = th.getAttribute("data-dir") !== "down";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("data-dir"); });
      th.setAttribute("data-dir", down ? "down" : "up");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute("data-s"), y = b.cells[col].getAttribute("data-s");
        var d = isNaN(Number(x)) || isNaN(Number(y)) ? x.localeCompare(y) : Number(x) - Number(y);
        return down ? -d : d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
"""#
}
