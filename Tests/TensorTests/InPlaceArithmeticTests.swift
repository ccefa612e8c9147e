import Kernels
import Testing
@testable import Tensor

/// Compound assignment (`+=`, `-=`, `*=`, `/=`): in place on a buffer the tensor alone owns, a copy otherwise.
@Suite struct InPlaceArithmeticTests {
    /// A uniquely owned contiguous tensor keeps its buffer; the values equal the out-of-place op's, for every op
    /// and for broadcast right-hand sides along either axis.
    @Test func uniquelyOwnedTensorsAreUpdatedInPlace() {
        let rhs = [Tensor.randomNormal([1, 7], seed: 2), Tensor.randomNormal([5, 1], seed: 3),
                   Tensor.randomNormal([5, 7], seed: 4), Tensor(scalar: 1.5)]
        for b in rhs {
            for (op, assign) in [(BinaryOp.add, { (a: inout Tensor, b: Tensor) in a += b }),
                                 (.sub, { $0 -= $1 }), (.mul, { $0 *= $1 }), (.div, { $0 /= $1 })] {
                var a = Tensor.randomNormal([5, 7], seed: 1)
                let expected = Tensor.binary(op, a, b).scalars
                weak let buffer = a.storage
                assign(&a, b)
                #expect(a.storage === buffer, "\(op) with \(b.shape) reuses the buffer")
                #expect(a.scalars == expected, "\(op) with \(b.shape)")
            }
        }
    }

    /// A shared buffer, a non-contiguous view or a widening broadcast is not written over: the other holders keep
    /// their values and the result is a new contiguous tensor.
    @Test func sharedOrStridedTensorsAreCopied() {
        var a = Tensor.randomNormal([4, 6], seed: 1)
        let alias = a, before = a.scalars
        a *= Tensor(scalar: 2)
        #expect(alias.scalars == before && a.storage !== alias.storage)
        #expect(a.scalars == before.map { $0 * 2 })

        var t = Tensor.randomNormal([6, 4], seed: 5).T
        let expected = (t - Tensor(scalar: 1)).scalars
        t -= Tensor(scalar: 1)
        #expect(t.isContiguous && t.scalars == expected)

        var row = Tensor.randomNormal([1, 3], seed: 6)
        row += Tensor.randomNormal([2, 3], seed: 7)
        #expect(row.shape == [2, 3])
    }
}
