import Testing
@testable import Tensor

/// Naive float64 fold over `axes` of a row-major array: the reference for the SIMD and parallel paths.
private func naiveReduce(_ x: Tensor, axes: [Int], _ f: (Double, Double) -> Double) -> [Double] {
    let values = x.contiguous().scalars, shape = x.shape
    let kept = shape.indices.filter { !axes.contains($0) }
    let outStrides = Shape.contiguousStrides(kept.map { shape[$0] })
    var out = [Double?](repeating: nil, count: kept.reduce(1) { $0 * shape[$1] })
    var index = [Int](repeating: 0, count: shape.count)
    for v in values {
        let o = zip(kept, outStrides).reduce(0) { $0 + index[$1.0] * $1.1 }
        out[o] = out[o].map { f($0, Double(v)) } ?? Double(v)
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { break }
            index[axis] = 0
            axis -= 1
        }
    }
    return out.map { $0! }
}

/// Properties of reductions on layouts and sizes the fixtures do not cover: large (parallel) arrays,
/// views versus copies, keepDims shapes, empty and NaN inputs.
@Suite struct ReductionPropertyTests {
    /// Large enough (150 000 elements) for both cores and for block-wise row folds.
    let big = Tensor.randomNormal([300, 500], seed: 11)

    /// Tolerance: `1e-5 · Σ|x|` over the reduced elements (float32 accumulation against float64).
    @Test func largeSumsMatchFloat64Loops() {
        let magnitude = naiveReduce(big.abs(), axes: [0, 1], +)[0]
        for axes in [[0], [1], [0, 1]] {
            let want = naiveReduce(big, axes: axes, +)
            let got = big.sum(axes: axes).scalars
            #expect(zip(got, want).allSatisfy { Swift.abs(Double($0) - $1) <= 1e-5 * magnitude }, "axes \(axes)")
            let gotT = big.T.sum(axes: axes.map { 1 - $0 }).scalars
            #expect(zip(gotT, want).allSatisfy { Swift.abs(Double($0) - $1) <= 1e-5 * magnitude }, "T axes \(axes)")
        }
        let long = Tensor.randomNormal([200_000], seed: 12)
        let total = naiveReduce(long, axes: [0], +)[0]
        let scale = naiveReduce(long.abs(), axes: [0], +)[0]
        #expect(Swift.abs(Double(long.sum().item()) - total) <= 1e-6 * scale)
    }

    /// Max, min and argmax are exact whatever the layout and however the work is split.
    @Test func largeExtremesAreExact() {
        for axes in [[0], [1], [0, 1]] {
            #expect(big.max(axes: axes).scalars.map(Double.init) == naiveReduce(big, axes: axes, Swift.max))
            #expect(big.min(axes: axes).scalars.map(Double.init) == naiveReduce(big, axes: axes, Swift.min))
        }
        let flat = big.scalars
        #expect(big.argmax().item() == Float(flat.firstIndex(of: flat.max()!)!))
        #expect(big.T.argmin(axis: 1).intScalars == big.argmin(axis: 0).intScalars)
    }

    /// A view (transposed, strided, reversed, broadcast, sliced) reduces like its contiguous copy:
    /// exactly for max/min/argmax, within `1e-5 · Σ|x|` for sums and means.
    @Test func viewsReduceLikeCopies() {
        let x = Tensor.randomNormal([6, 5, 40], seed: 13)
        let views: [Tensor] = [
            x.permuted([2, 0, 1]),
            x[.all, .stride(nil, nil, by: 2), .stride(1, nil, by: 3)],
            x[.stride(nil, nil, by: -1), 1..<4],
            x[.all, 0..<1, .all].expanded(to: [6, 7, 40]),
            x.transposed(0, 2)[3..<30],
        ]
        for view in views {
            let copy = view.contiguous()
            let scale = copy.abs().sum().item()
            for axes in [nil, [0], [1], [2], [0, 2], [-1, 0]] as [[Int]?] {
                for keep in [false, true] {
                    let s = view.sum(axes: axes, keepDims: keep), c = copy.sum(axes: axes, keepDims: keep)
                    #expect(s.shape == c.shape)
                    #expect(zip(s.scalars, c.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * scale })
                    let m = view.mean(axes: axes, keepDims: keep), mc = copy.mean(axes: axes, keepDims: keep)
                    #expect(zip(m.scalars, mc.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * scale })
                    #expect(view.max(axes: axes, keepDims: keep).scalars == copy.max(axes: axes, keepDims: keep).scalars)
                    #expect(view.min(axes: axes, keepDims: keep).scalars == copy.min(axes: axes, keepDims: keep).scalars)
                }
            }
            for axis in 0..<3 {
                #expect(view.argmax(axis: axis).intScalars == copy.argmax(axis: axis).intScalars)
                #expect(sameBits(view.cumsum(axis: axis).scalars, copy.cumsum(axis: axis).scalars))
            }
        }
    }

    @Test func keepDimsShapes() {
        let x = Tensor.randomNormal([2, 3, 4, 5], seed: 14)
        #expect(x.sum(axes: [1, 3], keepDims: true).shape == [2, 1, 4, 1])
        #expect(x.sum(axes: [1, 3]).shape == [2, 4])
        #expect(x.mean(axes: [-1]).shape == [2, 3, 4])
        #expect(x.max(keepDims: true).shape == [1, 1, 1, 1])
        #expect(x.min().shape == [])
        #expect(x.argmax(axis: 2, keepDims: true).shape == [2, 3, 1, 5])
        #expect(x.argmin(keepDims: true).shape == [1, 1, 1, 1])
        #expect(x.variance(axes: [0, 2], keepDims: true).shape == [1, 3, 1, 5])
        #expect(x.norm(axes: [0], keepDims: true).shape == [1, 3, 4, 5])
        #expect(x.sum(axes: []).shape == x.shape)
        #expect(Tensor(scalar: 3).sum().item() == 3)
    }

    @Test func emptyReductionsFollowNumPy() {
        let e = Tensor(zeros: [0, 3])
        #expect(e.sum(axis: 0).scalars == [0, 0, 0])
        #expect(e.prod(axis: 0).scalars == [1, 1, 1])
        #expect(e.mean(axis: 0).scalars.allSatisfy { $0.isNaN })
        #expect(e.max(axis: 1).shape == [0])
        #expect(e.sum().item() == 0)
        #expect(e.argmax(axis: 1).shape == [0])
    }

    @Test func nanPropagatesAndArgExtremesPickTheFirst() {
        let x = Tensor([1, .nan, 3, 3, .nan, -1], shape: [6])
        #expect(x.max().item().isNaN && x.min().item().isNaN)
        #expect(x.argmax().item() == 1 && x.argmin().item() == 1)
        let ties = Tensor([2, 5, 5, -1, -1, 0], shape: [6])
        #expect(ties.argmax().item() == 1 && ties.argmin().item() == 3)
        let wide = Tensor((0..<100).map { $0 == 70 ? .nan : Float($0) }, shape: [100])
        #expect(wide.max().item().isNaN && wide.argmax().item() == 70)
    }

    @Test func integerTensorsReduceInFloat32() {
        let ids = Tensor(ints: [1, 2, 3, 4, 5, 6], shape: [2, 3], dtype: .int64)
        #expect(ids.sum(axis: 1).scalars == [6, 15])
        #expect(ids.sum().dtype == .float32)
        #expect(ids.argmax(axis: 1).intScalars == [2, 2])
        #expect(ids.variance().item() == Float(35) / 12)
    }
}
