import Testing
import CKernels
@testable import Kernels

/// Products against weights in their stored type, on every instruction set, against Double sums of the
/// exactly widened weights: `|y − y_ref| ≤ 1e-5 · Σ_p |x[i,p] · W(p,j)|` (Float32 accumulation of k terms).
@Suite struct WeightProductTests {
    /// A `k × n` weight stored as `element` in `layout`, with `pad` unused elements after each stored row.
    struct Stored {
        let k: Int, n: Int, element: WeightMatrix.Element, transposed: Bool, ld: Int
        /// The stored bits (Float32 bits for float32).
        var halves: [UInt16] = [], floats: [Float] = []
        /// `W(p, j)` widened, row-major `[k, n]`.
        var widened: [Float] = []

        init(k: Int, n: Int, element: WeightMatrix.Element, transposed: Bool, pad: Int, seed: UInt64) {
            self.k = k; self.n = n; self.element = element; self.transposed = transposed
            ld = (transposed ? k : n) + pad
            var rng = TestRandom(seed: seed)
            let storedCount = (transposed ? n : k) * ld
            floats = rng.normals(storedCount, scale: 0.5)
            if element != .float32 {
                let format: HalfFormat = element == .float16 ? .float16 : .bfloat16
                halves = [UInt16](repeating: 0, count: storedCount)
                HalfConversion.narrow(floats, to: &halves, format, count: storedCount)
                HalfConversion.widen(halves, format, to: &floats, count: storedCount)
            }
            widened = (0..<(k * n)).map { [floats, ld, transposed, n] i in
                let (p, j) = (i / n, i % n)
                return floats[transposed ? j * ld + p : p * ld + j]
            }
        }

        /// Calls `body` with the weight as a `WeightMatrix`.
        func withMatrix<R>(_ body: (WeightMatrix) -> R) -> R {
            func wrap(_ p: UnsafeRawPointer) -> R {
                body(WeightMatrix(base: p, element: element, k: k, n: n, ld: ld, transposed: transposed))
            }
            return element == .float32 ? floats.withUnsafeBytes { wrap($0.baseAddress!) }
                                       : halves.withUnsafeBytes { wrap($0.baseAddress!) }
        }

        /// `Σ_p x[i,p] W(p,j)` and `Σ_p |x[i,p] W(p,j)|` in Double for `i < m`.
        func reference(_ x: [Float], m: Int) -> (y: [Double], scale: [Double]) {
            var y = [Double](repeating: 0, count: m * n), s = y
            for i in 0..<m {
                for p in 0..<k {
                    let xv = Double(x[i * k + p])
                    for j in 0..<n {
                        let t = xv * Double(widened[p * n + j])
                        y[i * n + j] += t
                        s[i * n + j] += Swift.abs(t)
                    }
                }
            }
            return (y, s)
        }
    }

    static let shapes = [(1, 1), (7, 33), (33, 7), (65, 131), (130, 260), (3, 4200)]
    static let rowCounts = [1, 2, 3, 4, 5, 9]

    /// The first mismatch of `y` (rows of `n` at stride `ldy`) plus `bias` against the reference, or nil.
    static func mismatch(_ y: [Float], ldy: Int, bias: Float, _ ref: (y: [Double], scale: [Double]), m: Int, n: Int) -> String? {
        for i in 0..<m {
            for j in 0..<n {
                let expected = ref.y[i * n + j] + Double(bias)
                let error = Swift.abs(Double(y[i * ldy + j]) - expected)
                if !(error <= 1e-5 * ref.scale[i * n + j] + 1e-7) {
                    return "[\(i), \(j)]: got \(y[i * ldy + j]), expected \(expected)"
                }
            }
        }
        return nil
    }

    @Test(arguments: testedSets, WeightMatrix.Element.allCases)
    func gemvMatchesReference(isa: InstructionSet, element: WeightMatrix.Element) {
        var rng = TestRandom(seed: 4)
        for (k, n) in Self.shapes {
            for transposed in [false, true] {
                let w = Stored(k: k, n: n, element: element, transposed: transposed, pad: 3, seed: UInt64(k * n))
                let x = rng.normals(9 * k)
                let ref = w.reference(x, m: 9)
                for m in Self.rowCounts {
                    for accumulate in m == 1 || m == 5 ? [false, true] : [false] {
                        let ldy = n + 2
                        var y = [Float](repeating: accumulate ? 0.25 : .nan, count: m * ldy)
                        w.withMatrix { mat in
                            sl_gemv(isa.rawValue, mat.code, transposed ? 1 : 0, x, k, mat.base, mat.ld, &y, ldy,
                                    m, k, 0, n, accumulate ? 1 : 0)
                        }
                        let bad = Self.mismatch(y, ldy: ldy, bias: accumulate ? 0.25 : 0, ref, m: m, n: n)
                        #expect(bad == nil, "\(element) \(transposed ? "[n,k]" : "[k,n]") k \(k) n \(n) m \(m) on \(isa): \(bad ?? "")")
                    }
                }
            }
        }
    }

    /// The Swift entry points: `gemv` split across cores by column blocks (each column summed in the same
    /// order as one call), and `gemm` through sgemm with blocks of 16-bit weights widened into scratch.
    @Test(arguments: WeightMatrix.Element.allCases)
    func entryPointsMatchReference(element: WeightMatrix.Element) {
        var rng = TestRandom(seed: 5)
        for transposed in [false, true] {
            let (k, n) = (70, 515)
            let w = Stored(k: k, n: n, element: element, transposed: transposed, pad: 1, seed: 9)
            let x = rng.normals(9 * k)
            let ref = w.reference(x, m: 9)
            for m in [1, 4, 9] {
                var split = [Float](repeating: .nan, count: m * n), alone = split
                w.withMatrix { mat in
                    WeightProduct.gemv(x, ldx: k, rows: m, weight: mat, &split, ldy: n)
                    sl_gemv(InstructionSet.active.rawValue, mat.code, transposed ? 1 : 0, x, k, mat.base, mat.ld,
                            &alone, n, m, k, 0, n, 0)
                }
                #expect(split == alone, "\(element) gemv m \(m): the split changes no sum")
                for blockColumns in [7, 64, WeightProduct.blockColumns] {
                    var y = [Float](repeating: 1, count: m * n)
                    w.withMatrix { mat in
                        var scratch = [Float](repeating: .nan, count: WeightProduct.scratchCount(for: mat, blockColumns: blockColumns))
                        WeightProduct.gemm(x, ldx: k, rows: m, weight: mat, &y, ldy: n, accumulate: true,
                                           blockColumns: blockColumns, scratch: &scratch)
                    }
                    let bad = Self.mismatch(y, ldy: n, bias: 1, ref, m: m, n: n)
                    #expect(bad == nil, "\(element) gemm \(transposed ? "[n,k]" : "[k,n]") m \(m) blocks of \(blockColumns): \(bad ?? "")")
                }
            }
        }
    }
}
