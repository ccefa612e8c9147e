import Testing
@testable import Tensor

/// Joining, splitting, tiling and index selection (exact copies) against naive loops.
@Suite struct JoiningTests {
    let x = Tensor((0..<60).map(Float.init), shape: [3, 4, 5])

    @Test func concatAndSplitRoundTrip() {
        for axis in 0..<3 {
            let extent = x.shape[axis]
            let sizes = [1, extent - 1]
            let parts = x.split(sizes: sizes, axis: axis)
            #expect(parts.map { $0.shape[axis] } == sizes)
            #expect(Tensor.concat(parts, axis: axis).scalars == x.scalars)
            #expect(Tensor.concat(x.chunked(2, axis: axis), axis: axis - 3).scalars == x.scalars)
        }
        let mixed = Tensor.concat([x.T, x.T.contiguous()], axis: 1)
        #expect(mixed.shape == [5, 8, 3])
        #expect(mixed[.all, 4..<8].scalars == x.T.contiguous().scalars)
        #expect(Tensor.concat([Tensor(ints: [1, 2], shape: [2]), Tensor(ints: [3], shape: [1], dtype: .int32)]).dtype == .int64)
    }

    @Test func chunkFollowsTorch() {
        #expect(Tensor.arange(10).chunked(3).map(\.shape) == [[4], [4], [2]])
        #expect(Tensor.arange(6).chunked(4).map(\.shape) == [[2], [2], [2]])
        #expect(x.chunked(5, axis: 1).count == 4)
    }

    @Test func stackInsertsAnAxis() {
        let a = x[0], b = x[1]
        let s = Tensor.stack([a, b], axis: 1)
        #expect(s.shape == [4, 2, 5])
        for i in 0..<4 { for j in 0..<5 {
            #expect(s.value(at: [i, 0, j]) == a.value(at: [i, j]) && s.value(at: [i, 1, j]) == b.value(at: [i, j]))
        } }
        #expect(Tensor.stack([a, b], axis: -1).shape == [4, 5, 2])
    }

    @Test func joiningErrorsNameTheShapes() {
        #expect(throws: TensorError.shapeMismatch(op: "concat along axis 0", shapes: [[3, 4, 5], [2, 3]])) {
            try Tensor.concatenated([x, Tensor(zeros: [2, 3])])
        }
        #expect(throws: TensorError.shapeMismatch(op: "stack", shapes: [[3, 4, 5], [3, 4, 4]])) {
            try Tensor.stacked([x, Tensor(zeros: [3, 4, 4])])
        }
        #expect(throws: TensorError.self) { try Tensor.concatenated([]) }
        #expect(throws: TensorError.invalidAxis(op: "concat", axis: 3, rank: 3)) { try Tensor.concatenated([x], axis: 3) }
    }

    @Test func repeatedTilesLikeTorchRepeat() {
        let m = Tensor([1, 2, 3, 4], shape: [2, 2])
        let r = m.repeated([2, 3])
        #expect(r.shape == [4, 6])
        for i in 0..<4 { for j in 0..<6 { #expect(r.value(at: [i, j]) == m.value(at: [i % 2, j % 2])) } }
        #expect(m.repeated([3, 1, 1]).shape == [3, 2, 2])
    }

    @Test func indexSelectMatchesNaiveLoops() throws {
        let picks = [2, -1, 0, 0]
        for view in [x, x.permuted([2, 0, 1])] {
            for axis in 0..<3 {
                let n = view.shape[axis]
                let got = try view.indexSelect(picks, axis: axis)
                var shape = view.shape
                shape[axis] = picks.count
                #expect(got.shape == shape)
                for flat in 0..<got.count {
                    var index = unravel(flat, shape)
                    let p = picks[index[axis]]
                    index[axis] = (p + n) % n
                    #expect(got.scalars[flat] == view.value(at: index))
                }
            }
        }
        let table = Tensor(ints: [0, 2, 1, 1, 0, 2], shape: [2, 3])
        let taken = try x.indexSelect(table, axis: 1)
        #expect(taken.shape == [3, 2, 3, 5])
        #expect(taken[1, 0, 1].scalars == x[1, 2].scalars)
        let ids = Tensor(ints: [7, 8, 9], shape: [3], dtype: .int32)
        #expect(try ids.indexSelect([2, 0], axis: 0).intScalars == [9, 7])
    }

    @Test func gatherMatchesNaiveLoops() throws {
        for view in [x, x.transposed(0, 2)] {
            for axis in 0..<3 {
                var shape = view.shape.map { Swift.max(1, $0 - 1) }
                shape[axis] = 6
                let count = shape.reduce(1, *)
                let picks = (0..<count).map { ($0 * 5 + 3) % view.shape[axis] }
                let got = try view.gather(Tensor(ints: picks, shape: shape), axis: axis)
                #expect(got.shape == shape)
                for flat in 0..<count {
                    var index = unravel(flat, shape)
                    index[axis] = picks[flat]
                    #expect(got.scalars[flat] == view.value(at: index))
                }
            }
        }
    }

    @Test func badIndicesThrowNamingIndexAndExtent() {
        #expect(throws: TensorError.indexOutOfRange(op: "indexSelect along axis 1", index: 4, extent: 4)) {
            try x.indexSelect([0, 4], axis: 1)
        }
        #expect(throws: TensorError.indexOutOfRange(op: "indexSelect along axis 0", index: -4, extent: 3)) {
            try x.indexSelect([-4], axis: 0)
        }
        #expect(throws: TensorError.indexOutOfRange(op: "gather along axis 2", index: 9, extent: 5)) {
            try x.gather(Tensor(ints: [0, 9], shape: [1, 1, 2]), axis: 2)
        }
        #expect(throws: TensorError.shapeMismatch(op: "gather along axis 0", shapes: [[3, 4, 5], [1, 5, 1]])) {
            try x.gather(Tensor(ints: [0, 0, 0, 0, 0], shape: [1, 5, 1]), axis: 0)
        }
        #expect(throws: TensorError.unsupportedDType(op: "gather indices", dtype: "float32")) {
            try x.gather(Tensor(zeros: [1, 1, 1]), axis: 0)
        }
        #expect(throws: TensorError.invalidAxis(op: "indexSelect", axis: -4, rank: 3)) {
            try x.indexSelect([0], axis: -4)
        }
    }
}

/// The row-major multi-index of `flat` in `shape`.
private func unravel(_ flat: Int, _ shape: [Int]) -> [Int] {
    var rest = flat
    return shape.reversed().map { extent in
        defer { rest /= extent }
        return rest % extent
    }.reversed()
}
