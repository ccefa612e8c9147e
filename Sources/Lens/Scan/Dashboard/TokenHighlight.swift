/// Tokens of an example as running text, each shaded by the unit's activation (blue for positive, red for
/// negative, in nine steps of `scale`), the example's token outlined, the value on hover.
struct TokenHighlight {
    let example: ActivationExample
    let vocabulary: [String]
    let scale: Float

    func html() -> String {
        var out = "<div class=\"lens-ex\"><span class=\"lens-ex-v\">\(ReportNumber.compact(example.value, digits: 3))</span>"
        for (k, token) in example.tokens.enumerated() {
            let value = example.activations[k]
            let text = token >= 0 && token < vocabulary.count ? vocabulary[token] : "<\(token)>"
            let shown = TokenDisplay.decoded(text).replacingOccurrences(of: "\n", with: "\u{21B5}")
            // Shade classes p1…p9 (positive) and n1…n9 (negative) in tenths of `scale`; p0 is unshaded.
            let level = scale > 0 ? Int((min(1, abs(value) / scale) * 9).rounded()) : 0
            let mark = example.windowStart + k == example.position ? " m" : ""
            out += "<span class=\"\(value >= 0 || level == 0 ? "p" : "n")\(level)\(mark)\" data-a=\"\(ReportNumber.compact(value, digits: 3))\">"
                + "\(Markup.escape(shown.isEmpty ? "\u{2205}" : shown))</span>"
        }
        return out + "<span class=\"lens-ex-c\">context \(example.context)</span></div>"
    }
}
