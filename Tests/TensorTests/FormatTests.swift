import Testing
@testable import Tensor

/// Printing snapshots: every `formats` entry of `reductions.json` is `numpy.array2string` output
/// (precision 8, threshold 1000, edge items 3, line width 75) in the `tensor(..., shape=, dtype=)`
/// frame, and must match character for character.
@Suite struct FormatTests {
    @Test func printsLikeNumPy() throws {
        let fixture = try ReductionFixture.load()
        #expect(fixture.formats.count >= 20)
        for entry in fixture.formats {
            #expect(entry.tensor.description == entry.repr, "\(entry.name)")
        }
    }

    @Test func smallSnapshots() {
        #expect(Tensor([0.5, -1, 2.25], shape: [3]).description == "tensor([ 0.5 , -1.  ,  2.25], shape=[3], dtype=float32)")
        #expect(Tensor(ints: [3, -10], shape: [2, 1]).description == "tensor([[  3],\n        [-10]], shape=[2, 1], dtype=int64)")
        #expect("\(Tensor(scalar: 2))" == "tensor(2., shape=[], dtype=float32)")
        let big = Tensor.arange(2000)
        #expect(big.description.contains("..."))
        #expect(big.debugDescription.hasPrefix("Tensor(shape: [2000], strides: [1], offset: 0, dtype: float32"))
    }
}
