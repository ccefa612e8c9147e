/// Rotary position embedding applied to rows of `dHead` features. The first `rotaryDim` features of a row
/// are rotated in pairs by the angles of that row's table row (`rotaryDim/2` cosines and sines); the rest
/// are copied. Products and sums round exactly as `x·cos + rotate(x)·sin` does in PyTorch.
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
        precondition(rotaryDim >= 0 && rotaryDim % 2 == 0 && rotaryDim <= dHead,
                     "Rotary.apply: rotaryDim \(rotaryDim) must be even and at most dHead \(dHead)")
        let half = rotaryDim / 2
        Parallel.forChunks(rows, costPerElement: max(1, dHead) * 2) { r0, r1 in
            for r in r0..<r1 {
                let xr = x + r * dHead, o = out + r * dHead
                let c = cos + tableOffsets[r], s = sin + tableOffsets[r]
                if adjacentPairs {
                    rotateAdjacent(xr, o, half, c, s)
                } else {
                    rotateHalves(xr, o, half, c, s)
                }
                if UnsafePointer(o) != xr && rotaryDim < dHead {
                    (o + rotaryDim).update(from: xr + rotaryDim, count: dHead - rotaryDim)
                }
            }
        }
    }

    /// Half-split rotation of one row: pairs `(i, i+h)`.
    static func rotateHalves(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ h: Int,
        _ cos: UnsafePointer<Float>, _ sin: UnsafePointer<Float>
    ) {
        var i = 0
        while i + 16 <= h {
            let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            let b = UnsafeRawPointer(x + h + i).loadUnaligned(as: SIMD16<Float>.self)
            let c = UnsafeRawPointer(cos + i).loadUnaligned(as: SIMD16<Float>.self)
            let s = UnsafeRawPointer(sin + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: a * c - b * s, as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + h + i).storeBytes(of: b * c + a * s, as: SIMD16<Float>.self)
            i += 16
        }
        while i < h {
            let a = x[i], b = x[h + i]
            out[i] = a * cos[i] - b * sin[i]
            out[h + i] = b * cos[i] + a * sin[i]
            i += 1
        }
    }

    /// Adjacent-pair rotation of one row: pairs `(2i, 2i+1)`, 8 pairs per 16-lane step with the table
    /// entries duplicated across each pair and the pair members swapped.
    static func rotateAdjacent(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ h: Int,
        _ cos: UnsafePointer<Float>, _ sin: UnsafePointer<Float>
    ) {
        var i = 0
        while i + 8 <= h {
            let v = UnsafeRawPointer(x + 2 * i).loadUnaligned(as: SIMD16<Float>.self)
            let c = UnsafeRawPointer(cos + i).loadUnaligned(as: SIMD8<Float>.self)
            let s = UnsafeRawPointer(sin + i).loadUnaligned(as: SIMD8<Float>.self)
            var cc = SIMD16<Float>(), ss = SIMD16<Float>(), swapped = SIMD16<Float>()
            for k in 0..<8 {
                cc[2 * k] = c[k]
                cc[2 * k + 1] = c[k]
                ss[2 * k] = -s[k]
                ss[2 * k + 1] = s[k]
                swapped[2 * k] = v[2 * k + 1]
                swapped[2 * k + 1] = v[2 * k]
            }
            UnsafeMutableRawPointer(out + 2 * i).storeBytes(of: v * cc + swapped * ss, as: SIMD16<Float>.self)
            i += 8
        }
        while i < h {
            let a = x[2 * i], b = x[2 * i + 1]
            out[2 * i] = a * cos[i] - b * sin[i]
            out[2 * i + 1] = b * cos[i] + a * sin[i]
            i += 1
        }
    }
}
