/// The report's inline style sheet and script. Both avoid `<` and `&` so the whole document
/// stays well-formed XML.
enum ReportAssets {
    /// Page, table and figure styles; system fonts only.
    static let css = #"""
:root{color-scheme:light}
body{margin:0;background:#f6f7f9;color:#222;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:26px;margin:0 0 2px}
.subtitle{color:#666;margin:0 0 14px}
h2{font-size:20px;margin:36px 0 10px;padding-bottom:4px;border-bottom:1px solid #dfe2e6}
h3{font-size:16px;margin:22px 0 8px}
a{color:#2166ac}
nav.toc{display:inline-block;background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:6px 18px 6px 6px;font-size:14px}
nav.toc ol{margin:4px 0}
code,pre,.lens-tip,td.num{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace}
code{font-size:13px;background:#e9edf1;padding:1px 4px;border-radius:3px}
pre{font-size:13px;background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:10px 14px;overflow-x:auto}
table{border-collapse:collapse;background:#fff;font-size:14px;margin:8px 0 16px}
caption{text-align:left;color:#555;font-size:13px;padding-bottom:4px}
th,td{border:1px solid #e3e6ea;padding:4px 10px;text-align:left}
th{background:#f0f2f5}
td.num{text-align:right;font-size:13px}
.lens-figure{margin:14px 0 22px;background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:12px}
figcaption{color:#555;font-size:13px;margin-top:6px}
.lens-scroll{overflow-x:auto}
svg{display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
rect[data-v]:hover{stroke:#111;stroke-width:1.5}
circle[data-tip]:hover,rect[data-tip]:hover{stroke:#111;stroke-width:1.5}
.lens-tip{position:fixed;z-index:10;pointer-events:none;max-width:440px;background:rgba(24,24,28,.92);color:#fff;font-size:12px;line-height:1.4;padding:5px 8px;border-radius:4px;white-space:pre-wrap}
[hidden]{display:none !important}
text.lens-hl{font-weight:700;fill:#b2182b}
.lens-attn-title{font-size:15px;margin:0 0 2px}
.lens-attn .lens-controls{font-size:13px;margin:0 0 10px}
.lens-attn .lens-controls svg{display:inline-block;vertical-align:middle;margin-left:6px}
.lens-attn select{font:inherit;margin-left:6px}
.lens-attn .lens-heads{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
"""#

    /// Hover tooltip for every element with `data-tip` (literal text) or `data-v` (a grid cell
    /// whose labels live on the enclosing `[data-rows]` element), and the attention head selector.
    static let script = #"""
(function () {
  "use strict";
  var tip = document.querySelector(".lens-tip");
  function labels(grid, name) {
    var text = grid.getAttribute(name);
    return text === null ? [] : JSON.parse(text);
  }
  function cellText(cell) {
    var v = cell.getAttribute("data-v");
    var grid = cell.closest("[data-rows]");
    if (grid === null) { return v; }
    var rows = labels(grid, "data-rows")[Number(cell.getAttribute("data-r"))];
    var cols = labels(grid, "data-cols")[Number(cell.getAttribute("data-c"))];
    if (grid.getAttribute("data-kind") === "attention") {
      return rows + " \u2192 " + cols + ": " + v;
    }
    var label = cell.getAttribute("data-l");
    return grid.getAttribute("data-rt") + ": " + rows + "\n" + grid.getAttribute("data-ct") + ": " + cols + "\nvalue: " + v + (label === null ? "" : "\n" + label);
  }
  function place(e) {
    var x = e.clientX + 14, y = e.clientY + 16;
    if (x + tip.offsetWidth + 8 > window.innerWidth) { x = e.clientX - tip.offsetWidth - 14; }
    if (y + tip.offsetHeight + 8 > window.innerHeight) { y = e.clientY - tip.offsetHeight - 12; }
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.max(4, y) + "px";
  }
  var lit = [];
  function highlight(el) {
    lit.forEach(function (t) { t.classList.remove("lens-hl"); });
    lit = [];
    var grid = el === null ? null : el.closest("[data-rows]");
    if (grid === null || el.getAttribute("data-r") === null) { return; }
    var query = "[data-ri=\"" + el.getAttribute("data-r") + "\"],[data-ci=\"" + el.getAttribute("data-c") + "\"]";
    lit = Array.prototype.slice.call(grid.querySelectorAll(query));
    lit.forEach(function (t) { t.classList.add("lens-hl"); });
  }
  document.addEventListener("mouseover", function (e) {
    var el = e.target.closest("[data-tip],[data-v]");
    highlight(el);
    if (el === null) { tip.hidden = true; return; }
    var text = el.getAttribute("data-tip");
    tip.textContent = text === null ? cellText(el) : text;
    tip.hidden = false;
    place(e);
  });
  document.addEventListener("mousemove", function (e) { if (!tip.hidden) { place(e); } });
  document.documentElement.addEventListener("mouseleave", function () { tip.hidden = true; });
  document.querySelectorAll(".lens-attn select").forEach(function (select) {
    var box = select.closest(".lens-attn");
    select.addEventListener("change", function () {
      var want = select.value;
      box.querySelectorAll(".lens-head").forEach(function (head) {
        head.hidden = !(want === "all" || head.getAttribute("data-head") === want);
        var svg = head.querySelector("svg");
        var w = Number(svg.getAttribute("width"));
        svg.style.width = want === "all" ? "" : Math.min(3 * w, Math.max(w, 900)) + "px";
        svg.style.height = want === "all" ? "" : "auto";
      });
    });
  });
})();
"""#
}
