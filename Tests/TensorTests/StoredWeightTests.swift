import Testing
import Kernels
@testable import Tensor

/// Products with weights in their stored dtype (`matmul(weight:bias:)`), the fused gated product, and dtype
/// conversion of contiguous runs through the vector kernels.
@Suite struct StoredWeightTests {
    /// `x · w + bias` by widening `w` first: the product `matmul(weight:)` must equal within
    /// `1e-5 · (|x| · |w|)` (Float32 sums of k terms in another order).
    static func check(_ x: Tensor, _ w: Tensor, bias: Tensor?, _ context: String) {
        let wide = w.converted(to: .float32)
        var expected = x.matmul(wide)
        if let bias { expected = expected + bias }
        let got = x.matmul(weight: w, bias: bias)
        #expect(got.shape == expected.shape && got.dtype == .float32, "\(context): shape \(got.shape)")
        let scale = x.abs().matmul(wide.abs()).scalars
        let bad = zip(zip(got.scalars, expected.scalars), scale).enumerated().first { _, v in
            Swift.abs(v.0.0 - v.0.1) > 1e-5 * v.1 + 1e-7
        }
        #expect(bad == nil, "\(context): element \(bad?.offset ?? -1)")
    }

    /// float32 / float16 / bfloat16 weights, row-major `[k, n]`, the transposed view of `[n, k]` rows and a
    /// strided view (copied first); up to `WeightProduct.gemvRows` rows take the gemv path, more the sgemm path.
    @Test(arguments: [DType.float32, .float16, .bfloat16])
    func matchesProductWithWidenedWeights(dtype: DType) {
        let (k, n) = (37, 70)
        let rowMajor = Tensor.randomNormal([k, n], seed: 1).converted(to: dtype)
        let transposed = Tensor.randomNormal([n, k], seed: 2).converted(to: dtype).T
        let strided = Tensor.randomNormal([k, 2 * n], seed: 3).converted(to: dtype)
            .view([.slice(start: nil, end: nil, step: 1), .slice(start: nil, end: nil, step: 2)])
        let bias = Tensor.randomNormal([n], seed: 4)
        for (name, w) in [("[k,n]", rowMajor), ("[n,k].T", transposed), ("strided", strided)] {
            for rows in [[1, k], [3, k], [7, k], [2, 3, k], [WeightProduct.gemvRows + 1, k], [3, 7, k]] {
                let x = Tensor.randomNormal(rows, seed: UInt64(rows.count * 10 + rows[0]))
                Self.check(x, w, bias: nil, "\(dtype) \(name) x \(rows)")
                Self.check(x, w, bias: bias, "\(dtype) \(name) x \(rows) + bias")
            }
        }
    }

    @Test func emptyProductsAreZeroOrBias() {
        let w = Tensor.randomNormal([0, 5], seed: 1).converted(to: .bfloat16)
        let bias = Tensor.randomNormal([5], seed: 2)
        #expect(Tensor(zeros: [3, 0]).matmul(weight: w).scalars == [Float](repeating: 0, count: 15))
        #expect(Tensor(zeros: [1, 0]).matmul(weight: w, bias: bias).scalars == bias.scalars)
        #expect(Tensor(zeros: [0, 4]).matmul(weight: Tensor(zeros: [4, 5])).shape == [0, 5])
    }

    @Test func gatedProductEqualsTwoPasses() {
        let gate = Tensor.randomNormal([3, 5, 33], std: 3, seed: 5), up = Tensor.randomNormal([3, 5, 33], seed: 6)
        for op in [UnaryOp.silu, .gelu, .geluNew] {
            #expect(gate.gated(op, up).scalars == (gate.map(op) * up).scalars, "\(op)")
        }
        let view = gate.transposed(0, 2), upView = up.transposed(0, 2)
        #expect(view.gated(.silu, upView).scalars == (view.contiguous().silu() * upView).scalars, "strided views")
    }

    /// Contiguous conversions (vector kernels, split across cores when long) give the bits of the element-by-
    /// element path that strided views take.
    @Test(arguments: [DType.float16, .bfloat16])
    func contiguousConversionEqualsElementwise(dtype: DType) {
        let x = Tensor.randomNormal([301, 1001], std: 300, seed: 7)
        let strided = x.T.converted(to: dtype).T.contiguous()
        let fast = x.converted(to: dtype)
        #expect(fast.storage.floats(as: dtype) == strided.storage.floats(as: dtype), "float32 → \(dtype)")
        #expect(fast.converted(to: .float32).scalars == fast.T.converted(to: .float32).T.scalars, "\(dtype) → float32")
        #expect(fast.scalars == fast.T.T.contiguous().scalars)
    }
}

extension TensorStorage {
    /// The stored 16-bit patterns.
    fileprivate func floats(as dtype: DType) -> [UInt16] {
        Array(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt16.self), count: count))
    }
}

/// `releaseMappedPages` on views of a memory-mapped checkpoint (what loading calls once a converted or processed
/// copy replaces a tensor).
@Suite struct MappedPageReleaseTests {
    /// The pages of a mapped 16-bit tensor are dropped and read back from the file on the next use: the values
    /// are unchanged, for the whole tensor, a transposed view and a row slice. Owned tensors are left alone.
    @Test func releasedViewsReadTheSameValuesAgain() throws {
        let folder = try ScratchFolder()
        let path = folder.file("w.safetensors")
        let weight = Tensor.randomNormal([512, 1024], seed: 9).converted(to: .bfloat16)
        try SafetensorsFile.write([("w", weight)], to: path)
        let mapped = try SafetensorsFile(path: path).tensor("w")
        #expect(mapped.storage.isBorrowed)
        let expected = weight.scalars
        for view in [mapped, mapped.T, mapped[100..<300]] {
            let before = view.scalars
            view.releaseMappedPages()
            #expect(view.scalars == before)
        }
        #expect(mapped.scalars == expected)
        var owned = Tensor.randomNormal([4, 4], seed: 1)
        let values = owned.scalars
        owned.releaseMappedPages()
        #expect(owned.scalars == values)
        owned += Tensor(scalar: 0)
        #expect(owned.scalars == values)
    }
}
