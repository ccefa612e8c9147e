import Testing
@testable import Kernels

/// Each SIMD unary kernel against its scalar definition `UnaryOp.apply` (glibc expf, tanhf, erff).
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

    @Test(arguments: vectorOps)
    func matchesScalarReference(op: UnaryOp) {
        let x = unaryInputs()
        let vector = mapped(x) { Elementwise.unaryContiguous(op, $0, $1, count: $2) }
        let scalar = x.map(op.apply)
        let mismatch = firstMismatch(vector, scalar, inputs: x) {
            Self.tolerance(op, x: x[$0], r: scalar[$0])
        }
        #expect(mismatch == nil, "\(op): \(mismatch ?? "")")
    }

    /// Exact ops (±, ×, ÷, √, comparisons) must agree bit for bit with the scalar definition.
    @Test(arguments: [UnaryOp.neg, .abs, .square, .reciprocal, .sqrt, .rsqrt, .relu, .log, .sin, .cos])
    func exactOpsAreBitIdentical(op: UnaryOp) {
        let x = unaryInputs()
        let vector = mapped(x) { Elementwise.unaryContiguous(op, $0, $1, count: $2) }
        let same = zip(vector, x.map(op.apply)).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
        #expect(same, "\(op) differs from its scalar definition")
    }

    /// Short and odd lengths take the padded-tail path; 1_000_003 is split across cores at 500_002, not a
    /// multiple of 16. A window around that boundary, recomputed on its own (so at other lane positions),
    /// must be bit-identical: results do not depend on where an element falls in a vector or chunk.
    @Test(arguments: [1, 15, 16, 17, 1_000_003])
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

    @Test func specialValuesFollowLibm() {
        let specials: [Float] = [.nan, .infinity, -.infinity, 0, -0.0]
        for op in Self.vectorOps {
            let vector = mapped(specials) { Elementwise.unaryContiguous(op, $0, $1, count: $2) }
            for (x, v) in zip(specials, vector) {
                let r = op.apply(x)
                #expect(v.bitPattern == r.bitPattern || (v.isNaN && r.isNaN), "\(op)(\(x)) = \(v), libm \(r)")
            }
        }
        let exp = mapped([89, -104, -103.3, 88.72]) { Elementwise.unaryContiguous(.exp, $0, $1, count: $2) }
        #expect(exp[0] == .infinity && exp[1] == 0)
        #expect(exp[2] == Float(bitPattern: 1), "e^-103.3 rounds to the smallest subnormal")
        #expect(exp[3].isFinite)
    }
}
