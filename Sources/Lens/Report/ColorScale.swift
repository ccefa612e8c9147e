/// An sRGB colour with 8-bit channels.
public struct RGBColor: Sendable, Equatable {
    /// Red, green and blue in 0...255.
    public var red: UInt8, green: UInt8, blue: UInt8

    /// A colour from its channels.
    public init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Lower-case `#rrggbb`.
    public var hex: String {
        "#" + [red, green, blue].map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }

    /// Relative luminance approximation 0.299 r + 0.587 g + 0.114 b in 0...1 (for choosing
    /// black or white text on a cell).
    public var luminance: Double {
        (0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue)) / 255
    }
}

/// A continuous colour scale: evenly spaced colour stops, linear interpolation per channel
/// (as plotly interpolates its named scales).
public struct ColorScale: Sendable, Equatable {
    /// The stops, first at position 0 and last at 1.
    public let stops: [RGBColor]

    /// A scale through `stops` (at least two).
    public init(stops: [RGBColor]) {
        ensure(stops.count >= 2, "ColorScale: needs at least 2 stops, got \(stops.count)")
        self.stops = stops
    }

    /// The colour at `t` in 0...1 (clamped; NaN gives the middle).
    public func color(at t: Double) -> RGBColor {
        let u = t.isNaN ? 0.5 : Swift.min(1, Swift.max(0, t))
        let x = u * Double(stops.count - 1)
        let i = Swift.min(Int(x), stops.count - 2)
        let f = x - Double(i)
        let a = stops[i], b = stops[i + 1]
        func mix(_ p: UInt8, _ q: UInt8) -> UInt8 {
            UInt8((Double(p) + (Double(q) - Double(p)) * f).rounded())
        }
        return RGBColor(mix(a.red, b.red), mix(a.green, b.green), mix(a.blue, b.blue))
    }

    /// ColorBrewer RdBu (11 classes), plotly's `"RdBu"`: dark red #67001f at 0, #f7f7f7 at 0.5,
    /// dark blue #053061 at 1. With a range symmetric about zero (plotly
    /// `color_continuous_midpoint=0`, as in the TransformerLens tutorials) negative values are
    /// red, zero near-white and positive values blue.
    public static let rdBu = ColorScale(stops: [
        RGBColor(103, 0, 31), RGBColor(178, 24, 43), RGBColor(214, 96, 77), RGBColor(244, 165, 130),
        RGBColor(253, 219, 199), RGBColor(247, 247, 247), RGBColor(209, 229, 240),
        RGBColor(146, 197, 222), RGBColor(67, 147, 195), RGBColor(33, 102, 172), RGBColor(5, 48, 97),
    ])

    /// ColorBrewer Blues (9 classes), plotly's `"Blues"`: #f7fbff at 0 to #08306b at 1
    /// (attention weights).
    public static let blues = ColorScale(stops: [
        RGBColor(247, 251, 255), RGBColor(222, 235, 247), RGBColor(198, 219, 239),
        RGBColor(158, 202, 225), RGBColor(107, 174, 214), RGBColor(66, 146, 198),
        RGBColor(33, 113, 181), RGBColor(8, 81, 156), RGBColor(8, 48, 107),
    ])

    /// Plotly's default qualitative palette (series and groups), cycled by index.
    public static let categorical: [RGBColor] = [
        RGBColor(99, 110, 250), RGBColor(239, 85, 59), RGBColor(0, 204, 150), RGBColor(171, 99, 250),
        RGBColor(255, 161, 90), RGBColor(25, 211, 243), RGBColor(255, 102, 146), RGBColor(182, 232, 128),
        RGBColor(255, 151, 255), RGBColor(254, 203, 82),
    ]
}

/// Maps values to colours: `t = (v - lower) / (upper - lower)` on a `ColorScale`.
public struct ColorMapping: Sendable, Equatable {
    /// The colour scale.
    public var scale: ColorScale
    /// The value drawn with the first stop.
    public var lower: Float
    /// The value drawn with the last stop.
    public var upper: Float

    /// A mapping of `lower...upper` onto `scale` (`upper > lower`).
    public init(scale: ColorScale, lower: Float, upper: Float) {
        ensure(upper > lower, "ColorMapping: upper \(upper) must exceed lower \(lower)")
        self.scale = scale
        self.lower = lower
        self.upper = upper
    }

    /// RdBu centred on zero over `-m...m`, `m = limit` or else the largest finite |value|
    /// (1 when all values are zero or non-finite).
    public static func diverging(_ values: [Float], limit: Float? = nil) -> ColorMapping {
        let m = limit ?? values.reduce(Float(0)) { $1.isFinite ? Swift.max($0, abs($1)) : $0 }
        let bound = m > 0 && m.isFinite ? m : 1
        return ColorMapping(scale: .rdBu, lower: -bound, upper: bound)
    }

    /// The colour of `value`; NaN and infinities are clamped (NaN draws the middle colour).
    public func color(_ value: Float) -> RGBColor {
        scale.color(at: (Double(value) - Double(lower)) / (Double(upper) - Double(lower)))
    }
}
