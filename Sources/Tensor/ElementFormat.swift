#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decimal digits of a Float: `value = ±d₀.d₁d₂… × 10^exponent` with the shortest digits that
/// round-trip (Swift's `description`), trailing zeros removed; zero has no digits.
struct DecimalDigits {
    var negative: Bool
    var digits: [UInt8]
    var exponent: Int

    init(_ x: Float) {
        negative = x.sign == .minus
        let text = x.magnitude.description
        let parts = text.split(separator: "e")
        let mantissa = Array(parts[0].utf8)
        let point = mantissa.firstIndex(of: UInt8(ascii: ".")) ?? mantissa.count
        var all = mantissa.filter { $0 != UInt8(ascii: ".") }.map { $0 - UInt8(ascii: "0") }
        let leading = all.prefix { $0 == 0 }.count
        all.removeFirst(leading)
        while all.last == 0 { all.removeLast() }
        digits = all
        exponent = all.isEmpty ? 0 : point - 1 - leading + (parts.count > 1 ? Int(parts[1])! : 0)
    }

    /// Integer part (with sign) and fraction digits of the positional form.
    var positional: (integer: String, fraction: String) {
        let sign = negative ? "-" : ""
        let text = digits.map { String($0) }
        if exponent < 0 {
            return (sign + "0", String(repeating: "0", count: -exponent - 1) + text.joined())
        }
        let integer = (0...exponent).map { $0 < text.count ? text[$0] : "0" }.joined()
        return (sign + integer, text.dropFirst(exponent + 1).joined())
    }
}

/// NumPy's float element format (`floatmode="maxprec"`, precision 8): positional with at most 8
/// fraction digits, or scientific when the largest magnitude reaches the dtype's cutoff
/// (1e6 for float32) or the smallest nonzero one is below 1e-4 or the ratio exceeds 1000.
/// Columns are aligned on the decimal point; non-finite values are right-aligned.
struct FloatFormat {
    static let precision = 8
    let scientific: Bool
    let padLeft: Int, padRight: Int
    /// Fraction digits of every scientific mantissa.
    let mantissaDigits: Int

    init(_ values: [Float], cutoff: Float) {
        let finite = values.filter(\.isFinite)
        let nonzero = finite.filter { $0 != 0 }.map(\.magnitude)
        if let largest = nonzero.max(), let smallest = nonzero.min() {
            scientific = largest >= cutoff || smallest < 1e-4 || largest / smallest > 1000
        } else {
            scientific = false
        }
        var left = 0, right = 0, digits = 0
        if scientific {
            for x in finite {
                let (integer, fraction, _) = FloatFormat.scientificParts(x)
                left = Swift.max(left, integer.count)
                digits = Swift.max(digits, fraction.count)
            }
            right = 2 + 2 + digits
        } else {
            for x in finite {
                let (integer, fraction) = FloatFormat.positionalParts(x)
                left = Swift.max(left, integer.count)
                right = Swift.max(right, fraction.count)
            }
        }
        let negativeInfinity = values.contains { $0 == -.infinity }
        if finite.count != values.count {
            left = Swift.max(left, 3 - (right + 1), 3 + (negativeInfinity ? 1 : 0) - (right + 1))
        }
        padLeft = left
        padRight = right
        mantissaDigits = digits
    }

    /// The element padded to the column layout.
    func callAsFunction(_ x: Float) -> String {
        if !x.isFinite {
            let text = x.isNaN ? "nan" : (x < 0 ? "-inf" : "inf")
            return FloatFormat.pad(text, to: padLeft + padRight + 1)
        }
        if scientific {
            let (integer, fraction, exponent) = FloatFormat.scientificParts(x)
            let digits = fraction + String(repeating: "0", count: mantissaDigits - fraction.count)
            return FloatFormat.pad(integer, to: padLeft) + "." + digits + exponent
        }
        let (integer, fraction) = FloatFormat.positionalParts(x)
        return FloatFormat.pad(integer, to: padLeft) + "." + fraction
            + String(repeating: " ", count: padRight - fraction.count)
    }

    /// `text` right-aligned in `width` columns.
    static func pad(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: Swift.max(0, width - text.count)) + text
    }

    /// Shortest round-trip digits, or the value correctly rounded to 8 fraction digits when
    /// the shortest form needs more; trailing zeros trimmed.
    static func positionalParts(_ x: Float) -> (String, String) {
        let parts = DecimalDigits(x).positional
        if parts.fraction.count <= precision { return parts }
        let rounded = printf("%.\(precision)f", x).split(separator: ".", omittingEmptySubsequences: false)
        let fraction = rounded[1].reversed().drop { $0 == "0" }.reversed()
        return (String(rounded[0]), String(fraction))
    }

    /// Mantissa integer digit (with sign), trimmed fraction digits and `e±XX` exponent.
    static func scientificParts(_ x: Float) -> (String, String, String) {
        let d = DecimalDigits(x)
        if d.digits.count > precision + 1 {
            let text = printf("%.\(precision)e", x)
            let parts = text.split(separator: "e")
            let mantissa = parts[0].split(separator: ".")
            let fraction = mantissa[1].reversed().drop { $0 == "0" }.reversed()
            return (String(mantissa[0]), String(fraction), "e" + parts[1])
        }
        let sign = d.negative ? "-" : ""
        let first = d.digits.first.map { String($0) } ?? "0"
        let fraction = d.digits.dropFirst().map { String($0) }.joined()
        let magnitude = String(d.exponent.magnitude)
        let exponent = "e" + (d.exponent < 0 ? "-" : "+") + (magnitude.count < 2 ? "0" : "") + magnitude
        return (sign + first, fraction, exponent)
    }

    /// C `printf` of one Double (exact decimal conversion by the C library).
    static func printf(_ format: String, _ x: Float) -> String {
        var buffer = [CChar](repeating: 0, count: 96)
        _ = withVaList([Double(x)]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// NumPy's integer element format: right-aligned to the widest of the largest and smallest values.
struct IntegerFormat {
    let width: Int

    init(_ values: [Int]) {
        width = values.isEmpty ? 0 : Swift.max(String(values.max()!).count, String(values.min()!).count)
    }

    /// The element right-aligned in `width` columns.
    func callAsFunction(_ x: Int) -> String { FloatFormat.pad(String(x), to: width) }
}
