import Testing
import CKernels
@testable import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// Each unary kernel, on every instruction set, against its scalar definition `UnaryOp.apply` (glibc expf,
/// tanhf, erff) and against the correctly rounded result.
@Suite struct UnaryKernelTests {
    /// Allowed `|vector − scalar|` for input `x` and scalar result `r`: `rtol·|r| + xtol·|x|`, at least one
    /// ulp of `r` (for subnormal results). The `xtol` term of the GELUs covers the scalar reference's own
    /// cancellation in `1 + erf` / `1 + tanh` for negative x. Measured maxima (5M inputs): exp, erf 1 ulp;
    /// tanh 2.2e-7 rel; sigmoid, silu 2.7e-7 rel; gelu 1.2e-7·|x|; geluNew, geluFast 2.1e-7·|x|.
    static func tolerance(_ op: UnaryOp, x: Float, r: Float) -> Float {
        let (rtol, xtol): (Float, Float)
        switch op {
        case .exp, .erf: (rtol, xtol) = (1.5e-7, 0)
        case .tanh: (rtol, xtol) = (3e-7, 0)
        case .sigmoid, .silu: (rtol, xtol) = (3.5e-7, 0)
        case .gelu: (rtol, xtol) = (2.5e-7, 1.5e-7)
        default: (rtol, xtol) = (4e-7, 2.5e-7)
        }
        return max(rtol * Swift.abs(r) + (xtol == 0 ? 0 : xtol * Swift.abs(x)), r.ulp)
    }

    static let vectorOps: [UnaryOp] = [.exp, .tanh, .erf, .sigmoid, .silu, .gelu, .geluNew, .geluFast]

    /// `op` on `x` through the C kernel of `isa`.
    static func run(_ op: UnaryOp, _ x: [Float], on isa: InstructionSet) -> [Float] {
        mapped(x) { sl_unary(isa.rawValue, op.kernelCode!, $0, $1, $2) }
    }

    @Test(arguments: vectorOps, testedSets)
    func matchesScalarReference(op: UnaryOp, isa: InstructionSet) {
        let x = unaryInputs()
        let vector = Self.run(op, x, on: isa)
        let scalar = x.map(op.apply)
        let mismatch = firstMismatch(vector, scalar, inputs: x) { Self.tolerance(op, x: x[$0], r: scalar[$0]) }
        #expect(mismatch == nil, "\(op) on \(isa): \(mismatch ?? "")")
    }

    /// Max ulp against the correctly rounded result (Double libm rounded once), as `UnaryOp` states: exp,
    /// tanh and erf 1 ulp on every instruction set, here on the edge values, a sweep across exp's range and
    /// normals at seven scales (Benchmarks/Tools/KernelAccuracy sweeps every float).
    @Test(arguments: testedSets)
    func accuracyAgainstCorrectlyRounded(isa: InstructionSet) {
        let x = unaryInputs()
        let cases: [(UnaryOp, (Double) -> Double, Int)] = [(.exp, Glibc.exp, 1), (.tanh, Glibc.tanh, 1), (.erf, Glibc.erf, 1)]
        for (op, exact, bound) in cases {
            let got = Self.run(op, x, on: isa)
            let ulps = x.indices.map { ulpDistance(got[$0], Float(exact(Double(x[$0])))) }
            let worst = ulps.indices.max { ulps[$0] < ulps[$1] }!
            #expect(ulps[worst] <= bound, "\(op) on \(isa): \(ulps[worst]) ulp at x = \(x[worst])")
        }
    }

    /// The FMA builds do the same operations lane by lane, so AVX2 and AVX-512 agree bit for bit.
    @Test func fmaBuildsAgreeBitForBit() {
        guard InstructionSet.avx512.isSupported else { return }
        let x = unaryInputs()
        for op in Self.vectorOps {
            let same = zip(Self.run(op, x, on: .avx2), Self.run(op, x, on: .avx512)).allSatisfy {
                $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN)
            }
            #expect(same, "\(op): AVX2 and AVX-512 differ")
        }
    }

    /// Exact ops (±, ×, ÷, √, comparisons) must agree bit for bit with the scalar definition.
    @Test(arguments: [UnaryOp.neg, .abs, .square, .reciprocal, .sqrt, .rsqrt, .relu], testedSets)
    func exactOpsAreBitIdentical(op: UnaryOp, isa: InstructionSet) {
        let x = unaryInputs()
        let same = zip(Self.run(op, x, on: isa), x.map(op.apply)).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
        #expect(same, "\(op) on \(isa) differs from its scalar definition")
    }

    /// Functions without a vector kernel go through the scalar definition.
    @Test func scalarOpsUseTheirDefinition() {
        let x = unaryInputs()
        for op in [UnaryOp.log, .sin, .cos] {
            let out = mapped(x) { Elementwise.unaryContiguous(op, $0, $1, count: $2) }
            #expect(zip(out, x.map(op.apply)).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(op)")
        }
    }

    /// Short and odd lengths take the padded-tail path; 200_003 is split across cores in chunks of 25_001,
    /// not a multiple of 16. A window around the middle boundary, recomputed on its own (so at other lane
    /// positions), must be bit-identical: results do not depend on where an element falls in a vector or chunk.
    @Test(arguments: [1, 7, 15, 16, 17, 33, 1023, 200_003])
    func lengthsAndChunkingDoNotChangeResults(count: Int) {
        var rng = TestRandom(seed: UInt64(count))
        let x = rng.normals(count, scale: 4)
        let window = max(0, count / 2 - 997)..<min(count, count / 2 + 1003)
        for op in Self.vectorOps {
            let parallel = mapped(x) { Elementwise.unary(op, $0, 1, $1, 1, count: $2) }
            let alone = mapped(Array(x[window])) { Elementwise.unaryContiguous(op, $0, $1, count: $2) }
            #expect(parallel[window].elementsEqual(alone) { $0.bitPattern == $1.bitPattern }, "\(op), count \(count)")
            let sample = Array(stride(from: 0, to: count, by: max(1, count / 5000)))
            let mismatch = firstMismatch(sample.map { parallel[$0] }, sample.map { op.apply(x[$0]) }) {
                Self.tolerance(op, x: x[sample[$0]], r: op.apply(x[sample[$0]]))
            }
            #expect(mismatch == nil, "\(op), count \(count): \(mismatch ?? "")")
        }
    }

    @Test(arguments: testedSets)
    func specialValuesFollowLibm(isa: InstructionSet) {
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0]
        for op in Self.vectorOps {
            for (x, v) in zip(specials, Self.run(op, specials, on: isa)) {
                let r = op.apply(x)
                #expect(v.bitPattern == r.bitPattern || (v.isNaN && r.isNaN), "\(op)(\(x)) = \(v) on \(isa), libm \(r)")
            }
        }
        let exp = Self.run(.exp, [89, -104, -103.3, 88.72, -87.5, -100], on: isa)
        #expect(exp[0] == .infinity && exp[1] == 0)
        #expect(exp[2] == Float(bitPattern: 1), "e^-103.3 rounds to the smallest subnormal")
        #expect(exp[3].isFinite)
        #expect(exp[4] == Float(Glibc.exp(-87.5)) && exp[5] == Float(Glibc.exp(-100.0)), "subnormal results round once")
    }

    /// `f(gate)·up` in one pass equals `f(gate)` then the product, bit for bit, on every length and set.
    @Test(arguments: testedSets)
    func gatedProductRoundsAsTwoPasses(isa: InstructionSet) {
        var rng = TestRandom(seed: 21)
        for count in [1, 7, 33, 1023] {
            let gate = rng.normals(count, scale: 3), up = rng.normals(count, scale: 2)
            for op in [UnaryOp.silu, .gelu, .geluNew, .geluFast, .relu, .sigmoid] {
                let expected = zip(Self.run(op, gate, on: isa), up).map { $0 * $1 }
                let fused = mapped(gate) { g, o, n in up.withUnsafeBufferPointer { sl_gated(isa.rawValue, op.kernelCode!, g, $0.baseAddress!, o, n) } }
                #expect(fused.elementsEqual(expected) { $0.bitPattern == $1.bitPattern }, "\(op) on \(isa), count \(count)")
            }
        }
        let big = rng.normals(300_001, scale: 2), up = rng.normals(300_001)
        let split = mapped(big) { g, o, n in up.withUnsafeBufferPointer { Elementwise.gated(.silu, gate: g, up: $0.baseAddress!, o, count: n) } }
        let expected = zip(Self.run(.silu, big, on: .active), up).map { $0 * $1 }
        #expect(split == expected, "split across cores")
    }
}

/// `Elementwise.binaryStrided` against one broadcast value (stride 0, the vector path for a row times a scalar)
/// and with strides: bitwise equal to `BinaryOp.apply`, on odd lengths, in place too.
@Suite struct BinaryStridedKernelTests {
    @Test(arguments: [BinaryOp.add, .sub, .mul, .div, .maximum])
    func broadcastValueMatchesScalarDefinition(op: BinaryOp) {
        var generator = TestRandom(seed: 3)
        for count in [1, 15, 16, 17, 67] {
            let a = generator.normals(count), b: [Float] = [generator.normal()]
            let expected = a.map { op.apply($0, b[0]) }
            var out = [Float](repeating: .nan, count: count)
            Elementwise.binaryStrided(op, a, 1, b, 0, &out, 1, count: count)
            #expect(out == expected, "\(op) count \(count)")
            var inPlace = a
            inPlace.withUnsafeMutableBufferPointer { p in
                Elementwise.binaryStrided(op, p.baseAddress!, 1, b, 0, p.baseAddress!, 1, count: count)
            }
            #expect(inPlace == expected, "\(op) in place, count \(count)")
            var strided = [Float](repeating: .nan, count: 2 * count)
            Elementwise.binaryStrided(op, a, 1, b, 0, &strided, 2, count: count)
            #expect(stride(from: 0, to: 2 * count, by: 2).map { strided[$0] } == expected, "\(op) strided out")
        }
    }
}
