import Testing
import CKernels
import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// Rotary application, on every instruction set, against a scalar loop of the same formula: results must be bit-identical, since both
/// round `x·c` and `y·s` separately and then add (as PyTorch's `x·cos + rotate(x)·sin` does).
@Suite struct RotaryKernelTests {
    /// Scalar reference for one row. Pairs are `(i, i+h)` (half-split) or `(2i, 2i+1)` (adjacent).
    static func rotate(_ x: ArraySlice<Float>, rotaryDim: Int, cos: ArraySlice<Float>, sin: ArraySlice<Float>,
                       adjacent: Bool) -> [Float] {
        var out = Array(x)
        let h = rotaryDim / 2, base = x.startIndex, c = cos.startIndex
        for i in 0..<h {
            let (p, q) = adjacent ? (2 * i, 2 * i + 1) : (i, i + h)
            out[p] = x[base + p] * cos[c + i] - x[base + q] * sin[c + i]
            out[q] = x[base + q] * cos[c + i] + x[base + p] * sin[c + i]
        }
        return out
    }

    /// `rows` rows of `dHead`, each using table row `r % positions` (as `[heads, pos, d_head]` does).
    /// `isa` nil runs `Rotary.apply` (rows split across cores on the active set), else the C kernel of `isa`.
    func check(rows: Int, positions: Int, dHead: Int, rotaryDim: Int, adjacent: Bool, isa: InstructionSet? = nil) {
        var rng = TestRandom(seed: UInt64(rows * 7 + dHead * 3 + rotaryDim))
        let h = rotaryDim / 2
        let x = rng.normals(rows * dHead, scale: 2)
        let angles = (0..<positions * h).map { Float($0 % h + 1) * Float($0 / h) * 0.37 }
        let cos = angles.map { Glibc.cos($0) }, sin = angles.map { Glibc.sin($0) }
        let offsets = (0..<rows).map { ($0 % positions) * h }
        func rotate(_ x: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>) {
            if let isa {
                sl_rotary_rows(isa.rawValue, x, o, rows, dHead, rotaryDim, cos, sin, offsets, adjacent ? 1 : 0)
            } else {
                Rotary.apply(x, o, rows: rows, dHead: dHead, rotaryDim: rotaryDim, cos: cos, sin: sin,
                             tableOffsets: offsets, adjacentPairs: adjacent)
            }
        }
        let out = mapped(x) { x, o, _ in rotate(x, o) }
        var expected: [Float] = []
        for r in 0..<rows {
            let t = offsets[r]
            expected += Self.rotate(x[r * dHead..<(r + 1) * dHead], rotaryDim: rotaryDim,
                                    cos: cos[t..<t + h], sin: sin[t..<t + h], adjacent: adjacent)
        }
        #expect(out == expected, "rows \(rows), d_head \(dHead), rotaryDim \(rotaryDim), adjacent \(adjacent), \(isa.map(\.description) ?? "split")")
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { rotate($0.baseAddress!, $0.baseAddress!) }
        #expect(inPlace == expected, "in place: rows \(rows), d_head \(dHead), rotaryDim \(rotaryDim)")
    }

    /// Full and partial rotary dims, including dims whose halves are not multiples of the vector width.
    @Test(arguments: testedSets)
    func matchesScalarLoop(isa: InstructionSet) {
        for (dHead, rotaryDim) in [(64, 64), (128, 128), (40, 16), (80, 20), (24, 2), (34, 34), (96, 66), (7, 6), (33, 0)] {
            for adjacent in [false, true] {
                check(rows: 12, positions: 5, dHead: dHead, rotaryDim: rotaryDim, adjacent: adjacent, isa: isa)
            }
        }
    }

    /// 2048 rows × 128: rows are split across cores.
    @Test func largeInputIsSplitAcrossCores() {
        check(rows: 2048, positions: 512, dHead: 128, rotaryDim: 64, adjacent: false)
        check(rows: 2048, positions: 512, dHead: 128, rotaryDim: 64, adjacent: true)
    }
}
