#if canImport(Glibc)
import Glibc
#endif
import Kernels

/// Rotary position embeddings (RoPE): the cos/sin tables and their application to queries and keys.
extension Tensor {
    /// Rotates the first `rotaryDim` features of `self` (`[..., pos, d_head]`) by the angles in `cos` and
    /// `sin` (`[pos, rotaryDim/2]`, or any shape broadcasting to `[..., pos, rotaryDim/2]`); the remaining
    /// features pass through. With `h = rotaryDim/2` and `c, s` the table row of the position:
    /// half-split pairs (GPT-NeoX, Llama; `adjacentPairs: false`): `x[i]·c[i] − x[i+h]·s[i]`,
    /// `x[i+h]·c[i] + x[i]·s[i]`; adjacent pairs (GPT-J): `x[2i]·c[i] − x[2i+1]·s[i]`, `x[2i+1]·c[i] + x[2i]·s[i]`.
    public func applyingRotary(cos: Tensor, sin: Tensor, rotaryDim: Int, adjacentPairs: Bool) -> Tensor {
        ensure(rank >= 1, "applyingRotary: input of shape \(shape) has no feature axis")
        let dHead = shape[rank - 1]
        ensure(rotaryDim > 0 && rotaryDim % 2 == 0 && rotaryDim <= dHead,
                     "applyingRotary: rotaryDim \(rotaryDim) must be even, positive and at most d_head of \(shape)")
        let tableShape = Array(shape.dropLast()) + [rotaryDim / 2]
        ensure(cos.shape == sin.shape && cos.shape.last == rotaryDim / 2
                     && Shape.broadcast(cos.shape, tableShape) == tableShape,
                     "applyingRotary: cos \(cos.shape) and sin \(sin.shape) do not broadcast to \(tableShape) for input \(shape)")
        if count == 0 { return float32Contiguous() }
        let c = cos.float32Contiguous(), s = sin.float32Contiguous()
        let offsets = Tensor.rowOffsets(c.expanded(to: tableShape))
        let x = float32Contiguous()
        let out = x.storage === storage ? Tensor(uninitialized: shape) : x
        withExtendedLifetime((x, c, s)) {
            offsets.withUnsafeBufferPointer { rowOffsets in
                Rotary.apply(x.floatPointer, out.floatPointer, rows: offsets.count, dHead: dHead,
                             rotaryDim: rotaryDim, cos: c.floatPointer, sin: s.floatPointer,
                             tableOffsets: rowOffsets.baseAddress!, adjacentPairs: adjacentPairs)
            }
        }
        return out
    }

    /// The cos and sin tables `[positions.count, rotaryDim/2]` for the default RoPE, with the angles formed in
    /// float32 as `angles` says (Hugging Face: `p · inv_freq[i]`; TransformerLens: `p / freq[i]`), then
    /// `cos(angle)` and `sin(angle)` rounded to Float.
    public static func rotaryTables(
        positions: [Int], rotaryDim: Int, base: Float, angles: RotaryAngles = .huggingFace
    ) -> (cos: Tensor, sin: Tensor) {
        ensure(rotaryDim > 0 && rotaryDim % 2 == 0, "rotaryTables: rotaryDim \(rotaryDim) must be even and positive")
        let half = rotaryDim / 2
        let frequencies = angles == .huggingFace
            ? rotaryInverseFrequencies(rotaryDim: rotaryDim, base: base)
            : rotaryFrequencies(rotaryDim: rotaryDim, base: base)
        var cosines = [Float](repeating: 0, count: positions.count * half)
        var sines = cosines
        for (row, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Double(angles == .huggingFace ? Float(p) * frequencies[i] : Float(p) / frequencies[i])
                cosines[row * half + i] = Float(Glibc.cos(angle))
                sines[row * half + i] = Float(Glibc.sin(angle))
            }
        }
        return (Tensor(cosines, shape: [positions.count, half]), Tensor(sines, shape: [positions.count, half]))
    }

    /// `rotaryTables` for positions `0..<count`.
    public static func rotaryTables(
        count: Int, rotaryDim: Int, base: Float, angles: RotaryAngles = .huggingFace
    ) -> (cos: Tensor, sin: Tensor) {
        rotaryTables(positions: Array(0..<count), rotaryDim: rotaryDim, base: base, angles: angles)
    }

    /// Hugging Face's `inv_freq[i] = 1 / base^(Float(2i)/Float(rotaryDim))` for `i < rotaryDim/2`: the power
    /// correctly rounded to Float, then the Float reciprocal. (PyTorch's vectorised float pow is within 1 ulp.)
    static func rotaryInverseFrequencies(rotaryDim: Int, base: Float) -> [Float] {
        (0..<rotaryDim / 2).map { i in
            let exponent = Float(2 * i) / Float(rotaryDim)
            return 1 / Float(Glibc.pow(Double(base), Double(exponent)))
        }
    }

    /// TransformerLens's `freq[i] = base^(Float(i)/Float(rotaryDim/2))`, the power correctly rounded to Float.
    static func rotaryFrequencies(rotaryDim: Int, base: Float) -> [Float] {
        (0..<rotaryDim / 2).map { i in
            let exponent = Float(i) / Float(rotaryDim / 2)
            return Float(Glibc.pow(Double(base), Double(exponent)))
        }
    }

    /// Element offset (into storage, from the view's first element) of each row of `view`: every axis but the
    /// last, in row-major order.
    static func rowOffsets(_ view: Tensor) -> [Int] {
        let lead = Array(view.shape.dropLast()), strides = Array(view.strides.dropLast())
        let rows = lead.reduce(1, *)
        var offsets = [Int](repeating: 0, count: rows)
        var index = [Int](repeating: 0, count: lead.count)
        var current = 0
        for r in 0..<rows {
            offsets[r] = current
            var axis = lead.count - 1
            while axis >= 0 {
                index[axis] += 1
                current += strides[axis]
                if index[axis] < lead[axis] { break }
                current -= strides[axis] * lead[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return offsets
    }
}

/// How rotary angles are formed in float32. The two agree mathematically but round differently: their
/// tables differ by up to ~1.2e-4 at position 2048, so match the implementation you compare against.
public enum RotaryAngles: Sendable {
    /// Hugging Face (`_compute_default_rope_parameters`): `angle = p · inv_freq[i]`,
    /// `inv_freq[i] = 1 / base^(2i/rotaryDim)`.
    case huggingFace
    /// TransformerLens (`calculate_sin_cos_rotary`): `angle = p / freq[i]`, `freq[i] = base^(i/(rotaryDim/2))`.
    case transformerLens
}
