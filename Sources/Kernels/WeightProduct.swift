internal import CKernels

/// A read-only weight matrix `W [k, n]` in the element type it is stored in (a checkpoint's float32, float16
/// or bfloat16), addressed without copying: `W(p, j)` is element `p·ld + j` of `base` (row-major `[k, n]`,
/// TransformerLens's layout) or, when `transposed`, element `j·ld + p` (`[n, k]` rows, as `nn.Linear` stores
/// its weight).
public struct WeightMatrix: @unchecked Sendable {
    /// The stored element type.
    public enum Element: Sendable, CaseIterable {
        case float32, float16, bfloat16
    }

    /// First element.
    public let base: UnsafeRawPointer
    /// Stored element type.
    public let element: Element
    /// Rows of `W` (the contracted dimension).
    public let k: Int
    /// Columns of `W` (output features).
    public let n: Int
    /// Elements between consecutive stored rows: at least `n` (row-major) or `k` (transposed).
    public let ld: Int
    /// Whether the storage holds `W`'s columns as rows (`[n, k]`).
    public let transposed: Bool

    /// A view of `k × n` weights at `base`; traps when `ld` is shorter than a stored row.
    public init(base: UnsafeRawPointer, element: Element, k: Int, n: Int, ld: Int, transposed: Bool) {
        let stored = transposed ? "[\(n), \(k)]" : "[\(k), \(n)]"
        ensure(k >= 0 && n >= 0 && ld >= (transposed ? k : n),
               "WeightMatrix: ld \(ld) is shorter than a stored row of \(stored)")
        self.base = base
        self.element = element
        self.k = k
        self.n = n
        self.ld = ld
        self.transposed = transposed
    }

    var code: Int32 {
        switch element {
        case .float32: return Int32(SL_F32.rawValue)
        case .float16: return Int32(SL_F16.rawValue)
        case .bfloat16: return Int32(SL_BF16.rawValue)
        }
    }
}

/// Products `y[m, n] = x[m, k] · W` against weights in their stored type, computed in Float32 (FMA
/// accumulation) with Float32 activations. `x[i, p]` is at `x + i·ldx + p` and `y[i, j]` at `y + i·ldy + j`.
public enum WeightProduct {
    /// Row count up to which `Tensor.matmul(weight:)` uses `gemv`: measured in `Benchmarks/` on the
    /// Qwen2.5-0.5B and Llama-3.2-1B shapes, gemv on bfloat16 weights is 2.4-3.9x float32 sgemm at 16 rows,
    /// and from 0.8x to 2.3x at 32.
    public static let gemvRows = 16
    /// Output columns per widened block of a 16-bit `W` in `gemm`: measured with 16 to 1024 rows, blocks of 512
    /// are as fast as widening the whole weight once at 1024 rows (0.7-0.75 of sgemm on float32 weights) and
    /// up to 5x faster at 16 to 64 rows, with a buffer of `k · 512` floats.
    public static let blockColumns = 512

    /// `y[i, j] = Σ_p x[i, p] · W(p, j)` (plus `y[i, j]` when `accumulate`) for `i < m`, `j < n`, reading each
    /// element of `W` once per four rows of `x`, converted in registers: no repacking and no buffer (2-33x
    /// `cblas_sgemm` with one row on the GPT-2, Qwen2.5-0.5B and Llama-3.2-1B layer shapes). Output columns are
    /// split across cores; each `y[i, j]` is summed in the same order whatever the split.
    public static func gemv(
        _ x: UnsafePointer<Float>, ldx: Int, rows m: Int, weight w: WeightMatrix,
        _ y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool = false
    ) {
        let isa = InstructionSet.active.rawValue, step = 64
        let blocks = (w.n + step - 1) / step
        Parallel.forChunks(blocks, costPerElement: step * max(1, w.k * m) / 16) { b0, b1 in
            sl_gemv(isa, w.code, w.transposed ? 1 : 0, x, ldx, w.base, w.ld, y, ldy, m, w.k,
                    b0 * step, min(w.n, b1 * step), accumulate ? 1 : 0)
        }
    }

    /// Floats of scratch `gemm` needs for `w`: `k · min(n, blockColumns)` for 16-bit weights, 0 for float32.
    public static func scratchCount(for w: WeightMatrix, blockColumns: Int = blockColumns) -> Int {
        w.element == .float32 ? 0 : w.k * min(w.n, max(1, blockColumns))
    }

    /// The same product as `gemv` through `cblas_sgemm`, for many rows: float32 weights are passed as they
    /// are; 16-bit weights are converted `blockColumns` output columns at a time into `scratch`
    /// (`scratchCount(for:blockColumns:)` floats), each block followed by one sgemm into its columns of `y`.
    public static func gemm(
        _ x: UnsafePointer<Float>, ldx: Int, rows m: Int, weight w: WeightMatrix,
        _ y: UnsafeMutablePointer<Float>, ldy: Int, accumulate: Bool = false,
        blockColumns: Int = blockColumns, scratch: UnsafeMutablePointer<Float>?
    ) {
        if m == 0 || w.n == 0 { return }
        let beta: Float = accumulate ? 1 : 0
        if w.k == 0 {
            if !accumulate { for i in 0..<m { (y + i * ldy).update(repeating: 0, count: w.n) } }
            return
        }
        if w.element == .float32 {
            BLAS.sgemm(transA: false, transB: w.transposed, m: m, n: w.n, k: w.k, a: x, lda: ldx,
                       b: w.base.assumingMemoryBound(to: Float.self), ldb: w.ld, beta: beta, c: y, ldc: ldy)
            return
        }
        guard let scratch else { preconditionFailure("WeightProduct.gemm: 16-bit weights need scratch") }
        let width = max(1, blockColumns)
        var j0 = 0
        while j0 < w.n {
            let nb = min(width, w.n - j0)
            convert(w, columns: j0..<(j0 + nb), into: scratch)
            BLAS.sgemm(transA: false, transB: w.transposed, m: m, n: nb, k: w.k, a: x, lda: ldx,
                       b: scratch, ldb: w.transposed ? w.k : nb, beta: beta, c: y + j0, ldc: ldy)
            j0 += nb
        }
    }

    /// Columns `columns` of a 16-bit `W` as Float32: `[columns.count, k]` rows when `W` is transposed,
    /// else `[k, columns.count]`. Runs on the calling thread: between two sgemm calls OpenBLAS's threads still
    /// spin, and waking other workers there makes them fight for the cores (measured: up to 15x slower).
    static func convert(_ w: WeightMatrix, columns: Range<Int>, into out: UnsafeMutablePointer<Float>) {
        let isa = InstructionSet.active.rawValue
        let src = w.base.assumingMemoryBound(to: UInt16.self)
        let (rows, length) = w.transposed ? (columns.count, w.k) : (w.k, columns.count)
        let first = w.transposed ? columns.lowerBound * w.ld : columns.lowerBound
        let widen = w.element == .float16 ? sl_f16_to_f32 : sl_bf16_to_f32
        for r in 0..<rows { widen(isa, src + first + r * w.ld, out + r * length, length) }
    }
}
