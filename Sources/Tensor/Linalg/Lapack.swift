import CLinearAlgebra

/// Shared plumbing for LAPACK calls on batches of row-major matrices `[..., m, n]`.
///
/// Every routine runs on LAPACK's column-major layout directly (LAPACKE's row-major path would
/// transpose into a scratch copy): a contiguous row-major `m × n` matrix *is* the column-major
/// `n × m` matrix `Aᵀ`, so each operation is phrased on `Aᵀ` where that is free.
enum Lapack {
    /// LAPACK's integer (`lapack_int`, a C macro Swift cannot import: `int32_t` in Debian's LAPACKE).
    typealias Index = Int32

    /// LAPACK's column-major layout constant.
    static let columnMajor = LAPACK_COL_MAJOR

    /// A LAPACK job or option character such as `"V"`.
    static func char(_ c: Unicode.Scalar) -> CChar { CChar(bitPattern: UInt8(ascii: c)) }

    /// Batch shape and matrix size of `t` as `[..., m, n]`; throws `shapeMismatch` when the rank
    /// is below 2, or when `square` and `m != n`.
    static func matrixShape(_ t: Tensor, op: String, square: Bool = false) throws -> (batch: [Int], m: Int, n: Int) {
        guard t.rank >= 2, !square || t.shape[t.rank - 1] == t.shape[t.rank - 2] else {
            throw TensorError.shapeMismatch(op: op, shapes: [t.shape])
        }
        return (Array(t.shape.dropLast(2)), t.shape[t.rank - 2], t.shape[t.rank - 1])
    }

    /// The batch shape of `rhs` (`[..., rows, k]`) broadcast with `batch`, or `shapeMismatch`
    /// naming both operands when `rhs` does not have `rows` rows or the batches do not broadcast.
    static func rhsBatch(_ rhs: Tensor, rows: Int, batch: [Int], op: String, shapes: [[Int]]) throws -> [Int] {
        guard rhs.rank >= 2, rhs.shape[rhs.rank - 2] == rows,
              let out = Shape.broadcast(batch, Array(rhs.shape.dropLast(2))) else {
            throw TensorError.shapeMismatch(op: op, shapes: shapes)
        }
        return out
    }

    /// `x` as a LAPACK integer (at least `minimum`), throwing when it does not fit.
    static func int(_ x: Int, op: String, minimum: Int = 0) throws -> Lapack.Index {
        guard let v = Lapack.Index(exactly: Swift.max(x, minimum)) else {
            throw TensorError.numerical(op: op, reason: "extent \(x) exceeds LAPACK's integer range")
        }
        return v
    }

    /// Throws `numerical` naming `op`, the routine and `info` when `info != 0`;
    /// `meaning` explains a positive info (a negative one is a rejected argument, e.g. NaN input).
    static func check(
        _ info: Lapack.Index, op: String, routine: String, matrix: Int, _ meaning: (Int) -> String
    ) throws {
        if info == 0 { return }
        let reason = info < 0
            ? "argument \(-info) was rejected (NaN or infinite input?)"
            : meaning(Int(info))
        throw TensorError.numerical(op: op, reason: "matrix \(matrix) of the batch: \(reason) "
                                    + "(LAPACK \(routine) info \(info))")
    }
}
