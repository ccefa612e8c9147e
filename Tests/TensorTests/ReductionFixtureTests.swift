import Testing
@testable import Tensor

/// Every case in `reductions.json` against NumPy (float64 references of the float32 inputs).
/// Tolerance for float results: `|got − want| ≤ 1e-5 · (|want| + scale)`, where `scale` is the same
/// op applied to `|x|` (so cancellation in sums is judged against the magnitudes summed); cases
/// marked exact (max, min, copies, gathers) and all indices must match exactly. NaN matches NaN.
@Suite struct ReductionFixtureTests {
    static let relativeTolerance = 1e-5

    @Test func everyCaseMatchesNumPy() throws {
        let fixture = try ReductionFixture.load()
        #expect(fixture.cases.count > 900)
        let inputs = fixture.inputs.map(\.tensor)
        for c in fixture.cases {
            let label = "\(c.op) on \(fixture.inputs[c.input].name) with \(c.params)"
            let (values, indices) = try ReductionFixtureTests.run(c, inputs[c.input])
            if let want = c.values {
                let got = try #require(values, "\(label): no values")
                #expect(got.shape == c.shape, "\(label): shape")
                let bad = ReductionFixtureTests.mismatch(got.scalars, want, scale: c.scale?.value ?? 0,
                                                         exact: c.exact ?? false)
                #expect(bad == nil, "\(label): \(bad ?? "")")
            }
            if let want = c.indices {
                let got = try #require(indices, "\(label): no indices")
                #expect(got.dtype == .int64 && got.shape == c.shape, "\(label): index shape/dtype")
                #expect(got.intScalars == want, "\(label): indices")
            }
        }
    }

    /// Runs one fixture case; single-axis reductions also check the `axis:` overload agrees.
    static func run(_ c: ReductionFixture.Case, _ x: Tensor) throws -> (Tensor?, Tensor?) {
        let p = c.params
        let keep = p.keepDims ?? false
        switch c.op {
        case "sum", "mean", "max", "min", "prod":
            let reduce: ([Int]?) -> Tensor = { axes in
                switch c.op {
                case "sum": return x.sum(axes: axes, keepDims: keep)
                case "mean": return x.mean(axes: axes, keepDims: keep)
                case "max": return x.max(axes: axes, keepDims: keep)
                case "min": return x.min(axes: axes, keepDims: keep)
                default: return x.prod(axes: axes, keepDims: keep)
                }
            }
            let result = reduce(p.axes)
            if let axes = p.axes, axes.count == 1 {
                let single: Tensor
                switch c.op {
                case "sum": single = x.sum(axis: axes[0], keepDims: keep)
                case "mean": single = x.mean(axis: axes[0], keepDims: keep)
                case "max": single = x.max(axis: axes[0], keepDims: keep)
                case "min": single = x.min(axis: axes[0], keepDims: keep)
                default: single = x.prod(axis: axes[0], keepDims: keep)
                }
                #expect(single.shape == result.shape && sameBits(single.scalars, result.scalars), "\(c.op) axis:")
            }
            return (result, nil)
        case "variance":
            return (x.variance(axes: p.axes, keepDims: keep, correction: p.correction!), nil)
        case "std":
            return (x.std(axes: p.axes, keepDims: keep, correction: p.correction!), nil)
        case "norm":
            let order = p.p!.float
            return (order == 2 ? x.norm(axes: p.axes, keepDims: keep)
                    : x.norm(p: order, axes: p.axes, keepDims: keep), nil)
        case "argmax": return (nil, x.argmax(axis: p.axis, keepDims: keep))
        case "argmin": return (nil, x.argmin(axis: p.axis, keepDims: keep))
        case "cumsum": return (x.cumsum(axis: p.axis!), nil)
        case "sorted":
            let (values, indices) = x.sorted(axis: p.axis!, descending: p.descending!)
            #expect(x.argsort(axis: p.axis!, descending: p.descending!).intScalars == indices.intScalars)
            return (values, indices)
        case "topk":
            let (values, indices) = x.topk(p.k!, axis: p.axis!, largest: p.largest!)
            return (values, indices)
        case "indexSelect": return (try x.indexSelect(p.indices!, axis: p.axis!), nil)
        case "take":
            return (try x.indexSelect(Tensor(ints: p.indices!, shape: p.indexShape!), axis: p.axis!), nil)
        case "gather":
            return (try x.gather(Tensor(ints: p.indices!, shape: p.indexShape!), axis: p.axis!), nil)
        case "repeated": return (x.repeated(p.counts!), nil)
        default:
            Issue.record("unknown fixture op \(c.op)")
            return (nil, nil)
        }
    }

    /// The first element outside tolerance, described, or nil.
    static func mismatch(_ got: [Float], _ want: [FixtureNumber], scale: Double, exact: Bool) -> String? {
        guard got.count == want.count else { return "\(got.count) values, expected \(want.count)" }
        for (i, (g, w)) in zip(got, want).enumerated() {
            if g.isNaN && w.value.isNaN || g == w.float { continue }
            let d = Double(g), w = w.value
            let ok = !exact && w.isFinite && Swift.abs(d - w) <= relativeTolerance * (Swift.abs(w) + scale)
            if !ok { return "element \(i): got \(d), expected \(w)" }
        }
        return nil
    }
}

/// Bitwise equality of two float arrays (NaN equal to NaN).
func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern || $0.isNaN && $1.isNaN }
}
