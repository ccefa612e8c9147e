import Testing
import CKernels
import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// The row reductions the softmax and normalisation kernels are built on, on every instruction set, against
/// Double loops: sums within `n·2⁻⁵³·Σ|terms|` (Double accumulation of n Float terms), the maximum exact.
@Suite struct ReductionKernelTests {
    static let lengths = [0, 1, 7, 15, 16, 17, 33, 1023, 4099]

    @Test(arguments: testedSets)
    func reductionsMatchDoubleLoops(isa: InstructionSet) {
        var rng = TestRandom(seed: 3)
        for n in Self.lengths {
            let x = rng.normals(n, scale: 3, shift: 1)
            x.withUnsafeBufferPointer { p in
                let base = p.baseAddress ?? UnsafePointer(bitPattern: 64)!
                let sum = x.reduce(0.0) { $0 + Double($1) }, magnitude = x.reduce(0.0) { $0 + Swift.abs(Double($1)) }
                let bound = Double(n) * 0x1p-53
                #expect(Swift.abs(sl_sum(isa.rawValue, base, n) - sum) <= bound * magnitude, "sum n \(n) on \(isa)")
                #expect(sl_max(isa.rawValue, base, n) == (x.max() ?? -.infinity), "max n \(n) on \(isa)")
                let (high, low): (Float, Float) = (1.25, 3e-8)
                let squares = x.reduce(0.0) { let c = Double(($1 - high) - low); return $0 + c * c }
                #expect(Swift.abs(sl_sum_squares(isa.rawValue, base, n, high, low) - squares) <= bound * squares,
                        "sum of squares n \(n) on \(isa)")
                let m = x.max() ?? 0
                let exps = x.reduce(0.0) { $0 + Double(expf($1 - m)) }
                #expect(Swift.abs(sl_sum_exp(isa.rawValue, base, n, m) - exps) <= 2e-7 * exps, "sum of exp n \(n) on \(isa)")
            }
        }
    }

    /// NaN is skipped by the maximum and propagates through the sums; an all −inf row has maximum −inf.
    @Test(arguments: testedSets)
    func specialValues(isa: InstructionSet) {
        for n in [5, 21] {
            var x = (0..<n).map { Float($0) }
            x[n / 2] = .nan
            #expect(sl_max(isa.rawValue, x, n) == Float(n - 1), "n \(n) on \(isa)")
            #expect(sl_sum(isa.rawValue, x, n).isNaN && sl_sum_squares(isa.rawValue, x, n, 0, 0).isNaN)
            #expect(sl_max(isa.rawValue, [Float](repeating: -.infinity, count: n), n) == -.infinity)
        }
    }
}
