import Testing
import CKernels
import Kernels

/// Conversion between Float32 and float16 / bfloat16, on every instruction set, bit for bit against Swift's
/// `Float16` conversions and the round-to-nearest-even definition of bfloat16.
@Suite struct HalfConversionTests {
    /// bfloat16 by its definition: the top half of the bits, rounded to nearest even; NaN → 0x7FC0.
    static func bfloat16(_ x: Float) -> UInt16 {
        if x.isNaN { return 0x7FC0 }
        let bits = x.bitPattern
        return UInt16((bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// Every 16-bit pattern, and odd-length slices of them (tails).
    static let allPatterns = (0...UInt16.max).map { $0 }

    /// Floats where rounding to either format is delicate: halfway points and their neighbours, the subnormal
    /// and overflow boundaries of float16, specials, and random bit patterns.
    static let floats: [Float] = {
        var rng = TestRandom(seed: 17)
        var v: [Float] = [0, -0.0, .infinity, -.infinity, .nan, -Float.nan, Float(bitPattern: 0x7F80_0001),
                          .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
                          65504, 65519.99, 65520, 65536, 1e-8, 2.98e-8, 5.96e-8, 6.1e-5, 6.0975e-5]
        for h in stride(from: 0, to: 0x7C00, by: 7) {
            let f = Float(Float16(bitPattern: UInt16(h)))
            let step = Float(Float16(bitPattern: UInt16(h + 1))) - f
            v += [f, f + step / 2, (f + step / 2).nextUp, (f + step / 2).nextDown]
        }
        for b in stride(from: UInt32(0), to: 0x7F80_0000, by: 0x0123_4567) {
            v += [Float(bitPattern: b | 0x8000), Float(bitPattern: b | 0x7FFF), Float(bitPattern: b | 0x8001)]
        }
        v += (0..<20_000).map { _ in Float(bitPattern: UInt32.random(in: 0...UInt32.max, using: &rng)) }
        return v + v.map { -$0 }
    }()

    @Test(arguments: testedSets)
    func widenIsExact(isa: InstructionSet) {
        for n in [1, 7, 33, 1023, Self.allPatterns.count] {
            let bits = Array(Self.allPatterns.suffix(n))
            var f16 = [Float](repeating: 0, count: n), bf16 = f16
            sl_f16_to_f32(isa.rawValue, bits, &f16, n)
            sl_bf16_to_f32(isa.rawValue, bits, &bf16, n)
            for (i, h) in bits.enumerated() {
                let expected = Float(Float16(bitPattern: h))
                #expect(f16[i].bitPattern == expected.bitPattern || (f16[i].isNaN && expected.isNaN), "f16 \(h) on \(isa)")
                #expect(bf16[i].bitPattern == UInt32(h) << 16, "bf16 \(h) on \(isa)")
            }
        }
    }

    @Test(arguments: testedSets)
    func narrowRoundsToNearestEven(isa: InstructionSet) {
        let x = Self.floats
        for n in [1, 7, 33, x.count] {
            var f16 = [UInt16](repeating: 0, count: n), bf16 = f16
            sl_f32_to_f16(isa.rawValue, x, &f16, n)
            sl_f32_to_bf16(isa.rawValue, x, &bf16, n)
            for i in 0..<n {
                let expected = Float16(x[i]).bitPattern
                let same = f16[i] == expected || (x[i].isNaN && Float16(bitPattern: f16[i]).isNaN
                                                  && (f16[i] & 0x8000) == (expected & 0x8000))
                #expect(same, "f16(\(x[i])) = \(f16[i]) on \(isa), Swift \(expected)")
                #expect(bf16[i] == Self.bfloat16(x[i]), "bf16(\(x[i])) = \(bf16[i]) on \(isa)")
            }
        }
    }

    /// The Swift entry points split long arrays across cores; results equal the single-call kernel.
    @Test func largeArraysAreSplitAcrossCores() {
        var rng = TestRandom(seed: 2)
        let x = rng.normals(300_001, scale: 100)
        for format in HalfFormat.allCases {
            var half = [UInt16](repeating: 0, count: x.count), back = [Float](repeating: 0, count: x.count)
            HalfConversion.narrow(x, to: &half, format, count: x.count)
            HalfConversion.widen(half, format, to: &back, count: x.count)
            var alone = [UInt16](repeating: 0, count: x.count)
            if format == .float16 { sl_f32_to_f16(InstructionSet.active.rawValue, x, &alone, x.count) }
            else { sl_f32_to_bf16(InstructionSet.active.rawValue, x, &alone, x.count) }
            #expect(half == alone, "\(format)")
            let bound: Float = format == .float16 ? 0x1p-11 : 0x1p-8
            #expect(zip(x, back).allSatisfy { Swift.abs($0 - $1) <= bound * Swift.abs($0) || Swift.abs($0) < 1e-4 }, "\(format)")
        }
    }
}
