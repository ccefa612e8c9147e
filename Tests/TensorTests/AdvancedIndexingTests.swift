import Testing
@testable import Tensor

/// NumPy's advanced indexing: each case's expected values are written out from NumPy's rules (checked in
/// NumPy 2.4 when the test was written) on `x = arange(24).reshape(2, 3, 4)`.
@Suite struct AdvancedIndexingTests {
    let x = Tensor.arange(24).reshaped([2, 3, 4])

    @Test func integerArraysSelectAndPlaceTheirAxes() {
        // x[[1, 0]]: rows swapped.
        #expect(x[[1, 0]].scalars == Array(12..<24).map(Float.init) + Array(0..<12).map(Float.init))
        // x[:, [2, 0]]: shape (2, 2, 4).
        let columns = x[.all, [2, 0]]
        #expect(columns.shape == [2, 2, 4])
        #expect(columns[0, 0].scalars == [8, 9, 10, 11] && columns[1, 1].scalars == [12, 13, 14, 15])
        // Adjacent arrays pair up in place: x[:, [0, 1], [1, 2]] -> (2, 2) = x[:, 0, 1], x[:, 1, 2].
        let paired = x[.all, [0, 1], [1, 2]]
        #expect(paired.shape == [2, 2] && paired.scalars == [1, 6, 13, 18])
        // Separated arrays lead: x[[0, 1], :, [1, 2]] -> (2, 3).
        let separated = x[[0, 1], .all, [1, 2]]
        #expect(separated.shape == [2, 3] && separated.scalars == [1, 5, 9, 14, 18, 22])
        // An integer counts as an array: x[0, :, [1, 2]] -> (2, 3); x[:, 1, [0, 3]] -> (2, 2) in place.
        #expect(x[0, .all, [1, 2]].shape == [2, 3] && x[0, .all, [1, 2]].scalars == [1, 5, 9, 2, 6, 10])
        #expect(x[.all, 1, [0, 3]].shape == [2, 2] && x[.all, 1, [0, 3]].scalars == [4, 7, 16, 19])
        // Index tensors broadcast: rows [[0], [1]] with columns [0, 3] -> (2, 2, 3) after the leading axes.
        let rows = Tensor(ints: [0, 1], shape: [2, 1])
        let grid = x[.indices(rows), .all, .indices([0, 3])]
        #expect(grid.shape == [2, 2, 3])
        #expect(grid[1, 1].scalars == [15, 19, 23])
        // Negative indices count from the end.
        #expect(x[.all, .all, [-1]].scalars == [3, 7, 11, 15, 19, 23])
    }

    @Test func masksSelectTheirTruePositions() {
        #expect(x[.mask(x .> 20)].scalars == [21, 22, 23])
        let mask = Tensor([1, 0, 1, 0, 1, 0], shape: [2, 3])
        let rows = x[.mask(mask)]
        #expect(rows.shape == [3, 4] && rows[1].scalars == [8, 9, 10, 11] && rows[2].scalars == [16, 17, 18, 19])
        #expect(x[.all, .all, .mask([true, false, false, true])].scalars == [0, 3, 4, 7, 8, 11, 12, 15, 16, 19, 20, 23])
        var y = x
        y[.mask(y .> 20)] = Tensor(scalar: -1)
        #expect(y.scalars.suffix(4) == [20, -1, -1, -1])
    }

    @Test func assignmentWritesTheSelectedPositions() {
        // The tutorial's `blank_probe_normalised[:, [3, 3, 4, 4], [3, 4, 3, 4]] = 0.0`.
        var probe = Tensor.ones([5, 8, 8])
        probe[.all, [3, 3, 4, 4], [3, 4, 3, 4]] = Tensor(scalar: 0)
        #expect(probe.sum().item() == 5 * 60)
        #expect(probe[2, 3, 4].item() == 0 && probe[2, 3, 5].item() == 1)
        // A value of the selection's shape; repeated indices keep the last write.
        var y = x
        y[.all, [0, 2]] = Tensor.full([2, 2, 4], 100) + Tensor([0, 1], shape: [1, 2, 1])
        #expect(y[1, 2].scalars == [101, 101, 101, 101] && y[1, 1].scalars == [16, 17, 18, 19])
        var z = Tensor(zeros: [3])
        z[[1, 1]] = Tensor([5, 7])
        #expect(z.scalars == [0, 7, 0])
        // Separated arrays: the value's leading axis is the broadcast one.
        var w = x
        w[[0, 1], .all, [1, 2]] = Tensor([-1, -2], shape: [2, 1])
        #expect(w[0, .all, 1].scalars == [-1, -1, -1] && w[1, .all, 2].scalars == [-2, -2, -2] && w[0, 0, 2].item() == 2)
    }

    @Test func flatScatterAndNegativeSlices() {
        // `cos_sim_rearranged.flatten()[ALL_SQUARES] = cos_sim`.
        let squares = (0..<64).filter { ![27, 28, 35, 36].contains($0) }
        var board = Tensor(zeros: [8, 8])
        board[flat: squares] = Tensor.arange(60) + 1
        #expect(board[0, 0].item() == 1 && board[3, 3].item() == 0 && board[7, 7].item() == 60 && board[3, 5].item() == 28)
        #expect(board[flat: [63, 0]].scalars == [60, 1])
        // `flatten(1, -1)[:, ALL_SQUARES] = values` on a stack of boards.
        var boards = Tensor(zeros: [2, 8, 8])
        boards[flat: squares, fromAxis: 1] = Tensor.ones([2, 60])
        #expect(boards.sum().item() == 120 && boards[1, 4, 4].item() == 0)
        // Python's 3:-3, -3:, :-1 and ::-1.
        let t = Tensor.arange(10)
        #expect(t[.range(3, -3)].scalars == [3, 4, 5, 6])
        #expect(t[.range(-3)].scalars == [7, 8, 9])
        #expect(t[.range(nil, -8)].scalars == [0, 1])
        #expect(t[.range(step: -3)].scalars == [9, 6, 3, 0])
        #expect(x[.all, .range(1, -1), .range(-2)].shape == [2, 1, 2])
    }

    @Test func badIndicesThrow() {
        #expect(throws: TensorError.indexOutOfRange(op: "index [2, 3, 4] axis 1", index: 5, extent: 3)) {
            try x.indexed([.all, .indices([0, 5])])
        }
        #expect(throws: TensorError.self) { try x.indexed([.mask([true, false, true])]) }
        #expect(throws: TensorError.self) { try x.indexed([.indices([0, 1]), .indices([0, 1, 2])]) }
    }

    /// einops `reduce` with a closure: kurtosis over games and moves equals the explicit formula.
    @Test func reduceWithACustomReduction() throws {
        let post = Tensor.randomNormal([6, 7, 5], seed: 3).square()
        let kurtosis = try post.reduce("game move neuron -> neuron") { x, axes in
            #expect(axes == [0, 1])
            return x.kurtosis(axes: axes)
        }
        let rows = post.reshaped([42, 5])
        let z = (rows - rows.mean(axis: 0, keepDims: true)) / rows.std(axes: [0], keepDims: true, correction: 1)
        let expected = z.square().square().mean(axis: 0) - 3
        #expect(zip(kurtosis.scalars, expected.scalars).allSatisfy { abs($0 - $1) < 1e-5 })
        // Grouped axes are split before the closure sees them.
        #expect(try post.reduce("(g h) m n -> g n", sizes: ["h": 2]) { x, axes in x.sum(axes: axes) }.shape == [3, 5])
        // A reduction that keeps the wrong axes is an error naming the pattern.
        #expect(throws: TensorError.self) { try post.reduce("g m n -> n") { x, _ in x } }
    }
}
