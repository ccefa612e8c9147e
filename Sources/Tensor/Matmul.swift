import Kernels

/// Matrix products, dispatched to OpenBLAS `sgemm` without copying when strides allow.
extension Tensor {
    /// NumPy `matmul`: `[..., m, k] @ [..., k, n] -> [..., m, n]` with broadcast batch axes;
    /// a 1-d operand is treated as a row (left) or column (right) vector and its axis dropped.
    /// Traps naming both shapes when inner dimensions differ.
    public func matmul(_ other: Tensor) -> Tensor {
        ensure(rank >= 1 && other.rank >= 1, "matmul: scalar operand (shapes \(shape) and \(other.shape))")
        let a = rank == 1 ? unsqueezed(0) : self
        let b = other.rank == 1 ? other.unsqueezed(1) : other
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], n = b.shape[b.rank - 1]
        ensure(b.shape[b.rank - 2] == k, "matmul: shapes \(shape) and \(other.shape) do not align")
        guard let batch = Shape.broadcast(Array(a.shape.dropLast(2)), Array(b.shape.dropLast(2))) else {
            programmerError("matmul: batch axes of \(shape) and \(other.shape) do not broadcast")
        }
        var out = Tensor.batchedGEMM(
            a.float32Storage().expanded(to: batch + [m, k]),
            b.float32Storage().expanded(to: batch + [k, n]), batch: batch, m: m, n: n, k: k)
        if rank == 1 { out = out.squeezed([out.rank - 2]) }
        if other.rank == 1 { out = out.squeezed([out.rank - 1]) }
        return out
    }

    /// Infix matrix product.
    public static func • (a: Tensor, b: Tensor) -> Tensor { a.matmul(b) }

    /// The tensor with Float32 storage (a view when it already has it).
    func float32Storage() -> Tensor { dtype == .float32 ? self : converted(to: .float32) }

    /// How a strided matrix can be passed to GEMM: row-major with leading dimension, or transposed.
    private static func gemmLayout(rowStride: Int, colStride: Int, rows: Int, cols: Int) -> (trans: Bool, ld: Int)? {
        if colStride == 1 || cols == 1, rowStride >= Swift.max(1, cols) || rows == 1 { return (false, Swift.max(rowStride, cols, 1)) }
        if rowStride == 1 || rows == 1, colStride >= Swift.max(1, rows) || cols == 1 { return (true, Swift.max(colStride, rows, 1)) }
        return nil
    }

    private static func batchedGEMM(_ a: Tensor, _ b: Tensor, batch: [Int], m: Int, n: Int, k: Int) -> Tensor {
        if k == 0 || batch.contains(0) || m == 0 || n == 0 { return Tensor(zeros: batch + [m, n]) }
        let out = Tensor(uninitialized: batch + [m, n])
        var a = a, b = b
        let r = batch.count
        // Fold the batch into M when B is shared and A's batch rows stack contiguously.
        if r > 0, b.strides[..<r].allSatisfy({ $0 == 0 }),
           let folded = try? a.reshaped(to: [batch.reduce(1, *) * m, k]),
           folded.storage === a.storage, folded.strides[1] == 1 || k == 1 {
            let bm = b.view([TensorIndex](repeating: .at(0), count: r))
            gemm(folded, bm, into: out.storage.floats, m: folded.shape[0], n: n, k: k)
            return out
        }
        if gemmLayout(rowStride: a.strides[r], colStride: a.strides[r + 1], rows: m, cols: k) == nil { a = a.contiguous() }
        if gemmLayout(rowStride: b.strides[r], colStride: b.strides[r + 1], rows: k, cols: n) == nil { b = b.contiguous() }
        let batchCount = batch.reduce(1, *)
        let batchStrides = Shape.contiguousStrides(batch)
        for index in 0..<batchCount {
            var oa = a.offset, ob = b.offset, rem = index
            for axis in 0..<r {
                let i = rem / batchStrides[axis]
                rem %= batchStrides[axis]
                oa += i * a.strides[axis]
                ob += i * b.strides[axis]
            }
            let am = Tensor(storage: a.storage, shape: [m, k], strides: [a.strides[r], a.strides[r + 1]], offset: oa)
            let bm = Tensor(storage: b.storage, shape: [k, n], strides: [b.strides[r], b.strides[r + 1]], offset: ob)
            gemm(am, bm, into: out.storage.floats + index * m * n, m: m, n: n, k: k)
        }
        return out
    }

    /// One GEMM of two strided matrices into a contiguous `[m, n]` buffer.
    private static func gemm(_ a: Tensor, _ b: Tensor, into c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int) {
        var a = a, b = b
        var la = gemmLayout(rowStride: a.strides[0], colStride: a.strides[1], rows: m, cols: k)
        if la == nil { a = a.contiguous(); la = (false, Swift.max(k, 1)) }
        var lb = gemmLayout(rowStride: b.strides[0], colStride: b.strides[1], rows: k, cols: n)
        if lb == nil { b = b.contiguous(); lb = (false, Swift.max(n, 1)) }
        BLAS.sgemm(transA: la!.trans, transB: lb!.trans, m: m, n: n, k: k,
                   a: a.storage.floats + a.offset, lda: la!.ld,
                   b: b.storage.floats + b.offset, ldb: lb!.ld, c: c, ldc: Swift.max(n, 1))
    }
}

infix operator • : MultiplicationPrecedence
