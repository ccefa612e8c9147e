import Testing
@testable import Tensor

/// Sorting, argsort and topk properties (exact: no arithmetic is involved).
@Suite struct SortingTests {
    @Test func topkIsThePrefixOfTheStableSort() {
        let x = Tensor((0..<(4 * 600)).map { Float(($0 * 7919) % 23) - 11 }, shape: [4, 600])
        for largest in [true, false] {
            let (values, indices) = x.sorted(axis: 1, descending: largest)
            for k in [1, 5, 40, 100, 600] {
                let top = x.topk(k, axis: 1, largest: largest)
                #expect(top.values.scalars == values[.all, 0..<k].scalars, "k \(k) largest \(largest)")
                #expect(top.indices.intScalars == indices[.all, 0..<k].intScalars, "k \(k) largest \(largest)")
            }
        }
        let columns = x.T.topk(3, axis: 0)
        #expect(columns.values.shape == [3, 4])
        #expect(columns.indices.intScalars == x.topk(3, axis: 1).indices.T.intScalars)
    }

    @Test func argsortIsStableInBothDirections() {
        let x = Tensor([3, 1, 2, 1, 3, 2, 1], shape: [7])
        #expect(x.argsort().intScalars == [1, 3, 6, 2, 5, 0, 4])
        #expect(x.argsort(descending: true).intScalars == [0, 4, 2, 5, 1, 3, 6])
        let zeros = Tensor([0, -0.0, 0, -1], shape: [4])
        #expect(zeros.argsort().intScalars == [3, 0, 1, 2])
    }

    @Test func sortedValuesAreOrderedAndIndicesPermute() {
        let x = Tensor.randomNormal([3, 257], seed: 21)
        let (values, indices) = x.sorted(axis: -1)
        for r in 0..<3 {
            let row = values[r].scalars, perm = indices[r].intScalars
            #expect(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 })
            #expect(Set(perm) == Set(0..<257))
            #expect(perm.map { x.value(at: [r, $0]) } == row)
        }
    }

    @Test func nanSortsAsTheLargestValue() {
        let x = Tensor([2, .nan, -1, 5], shape: [4])
        #expect(x.argsort().intScalars == [2, 0, 3, 1])
        #expect(x.argsort(descending: true).intScalars == [1, 3, 0, 2])
        #expect(x.topk(1).indices.intScalars == [1])
        #expect(x.topk(2, largest: false).values.scalars == [-1, 2])
    }

    @Test func integerValuesKeepTheirDtype() {
        let ids = Tensor(ints: [5, 3, 9, 1], shape: [4], dtype: .int32)
        let (values, indices) = ids.sorted()
        #expect(values.dtype == .int32 && values.intScalars == [1, 3, 5, 9])
        #expect(indices.dtype == .int64 && indices.intScalars == [3, 1, 0, 2])
        #expect(Tensor(scalar: 4).sorted().indices.shape == [])
        #expect(ids.topk(0).values.shape == [0])
        #expect(Tensor(scalar: 4).topk(0).indices.shape == [0])
    }
}
