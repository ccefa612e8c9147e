import Foundation

/// Fixed, data-independent histogram bins for activations, log-spaced in |x|: `binsPerOctave` bins per factor of
/// 2 from 2^minExponent to 2^maxExponent, an underflow bin (0, 2^minExponent) and an overflow bin [2^maxExponent,
/// ∞), mirrored for negative values. Zeros are not binned. Because the edges never depend on the data, histograms
/// of two shards add bin by bin.
///
/// Bin `b` of the `count` bins: `b ≥ side` holds positive values, position `b − side` on the positive side;
/// `b < side` holds negative values, position `side − 1 − b`. Inside an octave the edges are the Float32 values
/// nearest to 2^(e + j / binsPerOctave), compared on the bits of |x|: the same value always lands in the same bin.
public struct HistogramBins: Sendable, Equatable, Codable {
    /// Lowest octave edge exponent.
    public var minExponent: Int
    /// Highest octave edge exponent.
    public var maxExponent: Int
    /// Bins per octave (1 to 8).
    public var binsPerOctave: Int

    /// Bins from 2^-10 (≈ 0.001) to 2^10 (1024), four per octave.
    public init(minExponent: Int = -10, maxExponent: Int = 10, binsPerOctave: Int = 4) {
        (self.minExponent, self.maxExponent, self.binsPerOctave) = (minExponent, maxExponent, binsPerOctave)
    }

    /// Bins on one side: underflow, the octaves, overflow.
    public var side: Int { 2 + (maxExponent - minExponent) * binsPerOctave }
    /// All bins (both signs).
    public var count: Int { 2 * side }
    /// Activation bands for examples: underflow, one per octave, overflow (positive side).
    public var bands: Int { 2 + maxExponent - minExponent }

    func validate() throws {
        guard minExponent < maxExponent, minExponent >= -120, maxExponent <= 120, (1...8).contains(binsPerOctave) else {
            throw ScanError.invalidOption("histogram exponents \(minExponent)...\(maxExponent) with \(binsPerOctave) bins per "
                                          + "octave (need min < max within ±120, 1 to 8 bins per octave)")
        }
    }

    /// Mantissa bits of the inner octave edges 2^(j / binsPerOctave), j = 1 ..< binsPerOctave.
    var mantissaEdges: [UInt32] {
        (1..<binsPerOctave).map { Float(Foundation.pow(2.0, Double($0) / Double(binsPerOctave))).bitPattern & 0x7F_FFFF }
    }

    /// Position of |x| (> 0, finite) on one side, in `0 ..< side`.
    @inline(__always)
    static func sidePosition(bits: UInt32, minExponent: Int, maxExponent: Int, binsPerOctave: Int,
                             edges: UnsafePointer<UInt32>) -> Int {
        let exponent = Int((bits >> 23) & 0xFF) - 127
        if exponent < minExponent { return 0 }
        if exponent >= maxExponent { return 2 + (maxExponent - minExponent) * binsPerOctave - 1 }
        let mantissa = bits & 0x7F_FFFF
        var j = 0
        while j < binsPerOctave - 1, mantissa >= edges[j] { j += 1 }
        return 1 + (exponent - minExponent) * binsPerOctave + j
    }

    /// The bin of a non-zero finite `x`.
    public func bin(of x: Float) -> Int {
        let edges = mantissaEdges
        let p = edges.withUnsafeBufferPointer {
            Self.sidePosition(bits: x.magnitude.bitPattern, minExponent: minExponent, maxExponent: maxExponent,
                              binsPerOctave: binsPerOctave, edges: $0.baseAddress!)
        }
        return x > 0 ? side + p : side - 1 - p
    }

    /// The band (octave) of a position on the positive side.
    func band(ofSidePosition p: Int) -> Int {
        p == 0 ? 0 : p == side - 1 ? bands - 1 : 1 + (p - 1) / binsPerOctave
    }

    /// Lower and upper edge of bin `b` (|x| edges signed; the underflow bins end at 0, the overflow bins at ±∞).
    public func edges(of b: Int) -> (lower: Float, upper: Float) {
        let positive = b >= side
        let p = positive ? b - side : side - 1 - b
        let (low, high) = sideEdges(p)
        return positive ? (low, high) : (-high, -low)
    }

    /// Edges of |x| for side position `p`.
    func sideEdges(_ p: Int) -> (Float, Float) {
        func edge(_ k: Int) -> Float {
            let octave = k / binsPerOctave, j = k % binsPerOctave
            let inner: Float = j == 0 ? 1 : Float(bitPattern: 0x3F80_0000 | mantissaEdges[j - 1])
            return inner * Float(Foundation.pow(2.0, Double(minExponent + octave)))
        }
        if p == 0 { return (0, edge(0)) }
        if p == side - 1 { return (edge(side - 2), .infinity) }
        return (edge(p - 1), edge(p))
    }

    /// Lower and upper |x| edge of band `b`.
    public func bandEdges(_ b: Int) -> (lower: Float, upper: Float) {
        if b == 0 { return sideEdges(0) }
        if b == bands - 1 { return sideEdges(side - 1) }
        let first = 1 + (b - 1) * binsPerOctave
        return (sideEdges(first).0, sideEdges(first + binsPerOctave - 1).1)
    }
}
