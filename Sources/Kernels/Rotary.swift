internal import CKernels

/// Rotary position embedding applied to rows of `dHead` features. The first `rotaryDim` features of a row
/// are rotated in pairs by the angles of that row's table row (`rotaryDim/2` cosines and sines); the rest
/// are copied. Products and sums round exactly as `x·cos + rotate(x)·sin` does in PyTorch (no FMA), on every
/// instruction set.
public enum Rotary {
    /// Row `r` of `x` (`rows × dHead`, row-major) is rotated with the table row starting at element
    /// `tableOffsets[r]` of `cos` and `sin`. With `h = rotaryDim/2` and `c, s` that table row:
    /// - half-split pairs (GPT-NeoX, Llama; HF `rotate_half`), for `i < h`:
    ///   `out[i] = x[i]·c[i] − x[i+h]·s[i]`, `out[i+h] = x[i+h]·c[i] + x[i]·s[i]`;
    /// - adjacent pairs (GPT-J), for `i < h`:
    ///   `out[2i] = x[2i]·c[i] − x[2i+1]·s[i]`, `out[2i+1] = x[2i+1]·c[i] + x[2i]·s[i]`.
    /// `out` may alias `x`.
    public static func apply(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, dHead: Int, rotaryDim: Int,
        cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, tableOffsets: UnsafePointer<Int>,
        adjacentPairs: Bool
    ) {
        ensure(rotaryDim >= 0 && rotaryDim % 2 == 0 && rotaryDim <= dHead,
               "Rotary.apply: rotaryDim \(rotaryDim) must be even and at most dHead \(dHead)")
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(rows, costPerElement: max(1, dHead) * 2) { r0, r1 in
            sl_rotary_rows(isa, x + r0 * dHead, out + r0 * dHead, r1 - r0, dHead, rotaryDim, cos, sin,
                           tableOffsets + r0, adjacentPairs ? 1 : 0)
        }
    }
}
