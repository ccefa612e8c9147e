import Testing
@testable import Tensor

/// Naive reference: the element at a multi-index computed from the row-major source values.
private func reference(_ values: [Float], _ shape: [Int], _ index: [Int]) -> Float {
    values[zip(index, Shape.contiguousStrides(shape)).map(*).reduce(0, +)]
}

@Suite struct ViewTests {
    let base = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])

    @Test func slicingMatchesNumPySemantics() {
        let v = base[1, 0..<2, .stride(nil, nil, by: -2)]
        #expect(v.shape == [2, 2])
        #expect(v.scalars == [15, 13, 19, 17])
        #expect(base[-1, -1, -1].item() == 23)
        #expect(base[.ellipsis, 0].shape == [2, 3])
        #expect(base[.newAxis, 0, .all, 3].shape == [1, 3])
        #expect(base[0, 5...].shape == [0, 4])
    }

    @Test func reshapeIsAViewWhenStridesAllow() throws {
        let r = base.reshaped([6, 4])
        #expect(r.storage === base.storage)
        let t = base.transposed(0, 1)
        let flat = t.reshaped([-1])
        #expect(flat.scalars == t.contiguous().scalars)
        #expect(throws: TensorError.self) { try base.reshaped(to: [5, 5]) }
        let split = t.reshaped([3, 2, 2, 2])
        #expect(split.scalars == t.contiguous().reshaped([3, 2, 2, 2]).scalars)
    }

    @Test func permuteAndTransposeAgreeWithReferenceIndexing() {
        let p = base.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        for i in 0..<4 { for j in 0..<2 { for k in 0..<3 {
            #expect(p.value(at: [i, j, k]) == reference(base.scalars, [2, 3, 4], [j, k, i]))
        } } }
    }

    @Test func broadcastingFollowsNumPy() {
        let a = Tensor([1, 2, 3], shape: [3, 1])
        let b = Tensor([10, 20], shape: [2])
        #expect((a + b).scalars == [11, 21, 12, 22, 13, 23])
        #expect((a * 2).shape == [3, 1])
        #expect(base.expanded(to: [5, 2, 3, 4]).strides[0] == 0)
    }

    @Test func assignmentCopiesOnWrite() {
        var a = base
        a[0, 1] = Tensor(scalar: -1)
        #expect(a.value(at: [0, 1, 2]) == -1)
        #expect(base.value(at: [0, 1, 2]) == 6)
    }

    @Test func matmulHandlesTransposedAndBatchedViews() {
        let x = Tensor.randomNormal([3, 5, 4], seed: 1)
        let w = Tensor.randomNormal([6, 4], seed: 2)
        let y = x.matmul(w.T)
        #expect(y.shape == [3, 5, 6])
        for b in 0..<3 { for i in 0..<5 { for j in 0..<6 {
            var s: Float = 0
            for k in 0..<4 { s += x.value(at: [b, i, k]) * w.value(at: [j, k]) }
            #expect(abs(y.value(at: [b, i, j]) - s) < 1e-5)
        } } }
        let q = Tensor.randomNormal([2, 3, 5, 4], seed: 3)
        let scores = q.matmul(q.transposed())
        #expect(scores.shape == [2, 3, 5, 5])
        #expect(abs(scores.value(at: [1, 2, 3, 4]) - scores.value(at: [1, 2, 4, 3])) < 1e-5)
    }
}
