import Foundation

/// Compact, locale-independent number formatting for labels, tooltips and SVG coordinates.
/// The same value always prints the same bytes.
public enum ReportNumber {
    /// `value` with `digits` significant digits (`%g` style), exponent shortened:
    /// 0.12345 -> "0.1235", 1234.5 -> "1234", 123456 -> "1.235e5", 1e-7 -> "1e-7";
    /// -0 -> "0", NaN -> "NaN", infinities -> "inf" / "-inf".
    public static func compact(_ value: Float, digits: Int = 4) -> String {
        compact(Double(value), digits: digits)
    }

    /// Double overload of `compact(_:digits:)`.
    public static func compact(_ value: Double, digits: Int = 4) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        var s = String(format: "%.\(max(1, digits))g", value)
        if let e = s.firstIndex(of: "e") {
            let mantissa = s[..<e]
            var exponent = s[s.index(after: e)...]
            var sign = ""
            if exponent.first == "-" { sign = "-" }
            if exponent.first == "-" || exponent.first == "+" { exponent = exponent.dropFirst() }
            while exponent.count > 1, exponent.first == "0" { exponent = exponent.dropFirst() }
            s = mantissa + "e" + sign + exponent
        }
        return s
    }

    /// An SVG coordinate: rounded to 2 decimals without trailing zeros (12.5, 3, -0.25);
    /// a non-finite value (never produced by the layouts) prints as 0.
    static func coordinate(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let r = (value * 100).rounded() / 100
        if r == r.rounded() { return String(Int(r)) }
        var s = String(format: "%.2f", r)
        while s.hasSuffix("0") { s.removeLast() }
        return s
    }
}
