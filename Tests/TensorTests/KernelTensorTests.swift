import Foundation
import Testing
@testable import Tensor

/// Layout, axis and shape handling of the Tensor-level softmax, normalization and rotary ops.
@Suite struct KernelTensorTests {
    let x = Tensor.randomNormal([2, 3, 5], std: 3, seed: 4)

    @Test func softmaxOnAnyAxisEqualsLastAxisOfPermutedCopy() {
        for axis in 0..<3 {
            var order = [0, 1, 2].filter { $0 != axis }
            order.append(axis)
            var inverse = [0, 0, 0]
            for (i, o) in order.enumerated() { inverse[o] = i }
            let viaLast = x.permuted(order).contiguous().softmax().permuted(inverse).contiguous()
            #expect(x.softmax(axis: axis).scalars == viaLast.scalars, "axis \(axis)")
            #expect(x.softmax(axis: axis - 3).scalars == viaLast.scalars, "axis \(axis - 3)")
        }
    }

    @Test func stridedAndConvertedInputsMatchContiguousFloat32() {
        let view = x.transposed(1, 2)
        #expect(view.softmax().scalars == view.contiguous().softmax().scalars)
        #expect(view.logSoftmax(axis: 1).scalars == view.contiguous().logSoftmax(axis: 1).scalars)
        let (a, s) = view.layerNormalized(eps: 1e-5)
        let (b, t) = view.contiguous().layerNormalized(eps: 1e-5)
        #expect(a.scalars == b.scalars && s.scalars == t.scalars)
        let half = x.converted(to: .float16)
        #expect(half.rmsNormalized(eps: 1e-6).normalized.scalars == half.converted(to: .float32).rmsNormalized(eps: 1e-6).normalized.scalars)
        #expect(x.softmax().storage !== x.storage, "the input is left untouched")
    }

    @Test func shapesFollowPyTorch() {
        #expect(x.logsumexp(axis: 1).shape == [2, 5])
        #expect(x.logsumexp(axis: -2, keepDims: true).shape == [2, 1, 5])
        #expect(x.layerNormalized(eps: 1e-5).scale.shape == [2, 3, 1])
        #expect(x.rmsNormalized(eps: 1e-5).scale.shape == [2, 3, 1])
        let scalar = Tensor(scalar: 2)
        #expect(scalar.softmax().shape == [] && scalar.softmax().item() == 1)
        #expect(scalar.logsumexp(axis: 0).item() == 2)
        #expect(scalar.logsumexp(axis: 0, keepDims: true).shape == [])
        #expect(Tensor(zeros: [3, 0]).logsumexp(axis: 1).scalars == [-.infinity, -.infinity, -.infinity])
        #expect(Tensor(zeros: [0, 4]).softmax().shape == [0, 4])
    }

    /// logsumexp along an axis equals `log(sum(exp))` where that does not overflow (within 1e-6 relative).
    @Test func logsumexpMatchesDirectFormula() {
        for axis in 0..<3 {
            let got = x.logsumexp(axis: axis).scalars
            let moved = x.permuted([0, 1, 2].filter { $0 != axis } + [axis]).contiguous().scalars
            let n = x.shape[axis]
            for r in got.indices {
                let expected = Float(Foundation.log(moved[r * n..<(r + 1) * n].reduce(0.0) { $0 + Foundation.exp(Double($1)) }))
                #expect(Swift.abs(got[r] - expected) <= 1e-6 * Swift.max(1, Swift.abs(expected)), "axis \(axis) row \(r)")
            }
        }
    }

    /// Per-batch position tables `[batch, 1, pos, h]` (left-padded batches) broadcast over heads, and the
    /// TransformerLens layout `[batch, pos, head, d_head]` handled by permuting.
    @Test func rotaryBroadcastsTablesAndAcceptsPermutedLayouts() {
        let q = Tensor.randomNormal([2, 3, 4, 8], seed: 5)  // [batch, head, pos, d_head]
        let first = Tensor.rotaryTables(positions: [0, 1, 2, 3], rotaryDim: 6, base: 10_000)
        let second = Tensor.rotaryTables(positions: [0, 0, 1, 2], rotaryDim: 6, base: 10_000)
        let cos = stackTables([first.cos, second.cos]), sin = stackTables([first.sin, second.sin])
        let both = q.applyingRotary(cos: cos, sin: sin, rotaryDim: 6, adjacentPairs: false)
        let a = q[0].applyingRotary(cos: first.cos, sin: first.sin, rotaryDim: 6, adjacentPairs: false)
        let b = q[1].applyingRotary(cos: second.cos, sin: second.sin, rotaryDim: 6, adjacentPairs: false)
        #expect(both[0].scalars == a.scalars && both[1].scalars == b.scalars)
        #expect(both[.ellipsis, 6...].scalars == q[.ellipsis, 6...].scalars, "features past rotaryDim pass through")
        let tl = q.permuted([0, 2, 1, 3]).contiguous()  // [batch, pos, head, d_head]
        let back = tl.permuted([0, 2, 1, 3]).applyingRotary(cos: first.cos, sin: first.sin, rotaryDim: 6,
                                                            adjacentPairs: true)
        #expect(back.scalars == q.applyingRotary(cos: first.cos, sin: first.sin, rotaryDim: 6, adjacentPairs: true).scalars)
    }

    /// Rotating by the angle for position p then by −p is the identity (within 1e-6); position 0 is exact.
    @Test func rotaryIsARotation() {
        let q = Tensor.randomNormal([3, 16], seed: 6)
        let (cos, sin) = Tensor.rotaryTables(positions: [0, 7, 300], rotaryDim: 16, base: 10_000)
        for adjacent in [false, true] {
            let there = q.applyingRotary(cos: cos, sin: sin, rotaryDim: 16, adjacentPairs: adjacent)
            let back = there.applyingRotary(cos: cos, sin: -sin, rotaryDim: 16, adjacentPairs: adjacent)
            #expect(zip(back.scalars, q.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-6 * Swift.max(1, Swift.abs($1)) })
            #expect(there[0].scalars == q[0].scalars)
            let norms = (0..<3).map { r in (there[r] * there[r]).scalars.reduce(0, +) - (q[r] * q[r]).scalars.reduce(0, +) }
            #expect(norms.allSatisfy { Swift.abs($0) < 1e-4 }, "pair norms are preserved")
        }
        let counted = Tensor.rotaryTables(count: 3, rotaryDim: 8, base: 500_000)
        let listed = Tensor.rotaryTables(positions: [0, 1, 2], rotaryDim: 8, base: 500_000)
        #expect(counted.cos.scalars == listed.cos.scalars && counted.sin.scalars == listed.sin.scalars)
    }
}

/// `[n, 1, ...]` from `n` equal-shape tables: per-batch tables broadcasting over the head axis.
private func stackTables(_ parts: [Tensor]) -> Tensor {
    Tensor(parts.flatMap(\.scalars), shape: [parts.count, 1] + parts[0].shape)
}
