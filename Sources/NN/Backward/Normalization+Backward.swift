import Kernels

/// Row kernels of the normalisation backward. Forward, per row of length `D`: `c = x − mean(x)` (LayerNorm;
/// `c = x` for RMSNorm), `s = √(mean(c²) + eps)` (`hook_scale`), `n = c / s` (`hook_normalized`). Backward, with
/// `g` the gradient at `n`:
///
///     g_s = −Σ_j g_j n_j / s                     (the gradient at hook_scale)
///     g_c = g / s + g_s · n / D                  (through n = c / s and s = √(Σ c² / D + eps))
///     g_x = g_c − mean(g_c)   (LayerNorm),  g_x = g_c   (RMSNorm)
enum NormalizationBackward {
    /// `g_s = −Σ_j g_j n_j / s` of one row (summed in Double).
    static func scaleGradient<T: GradientScalar>(_ g: UnsafePointer<T>, _ n: UnsafePointer<T>, scale: T,
                                                 count: Int) -> T {
        var dot = 0.0
        for j in 0..<count { dot += Double(g[j]) * Double(n[j]) }
        return T(-dot) / scale
    }

    /// `out = g / s + g_s · n / D`, minus its mean when `centred`, for one row.
    static func inputGradient<T: GradientScalar>(_ g: UnsafePointer<T>, _ n: UnsafePointer<T>, scale: T,
                                                 scaleGradient gs: T, count: Int, centred: Bool,
                                                 into out: UnsafeMutablePointer<T>) {
        let inverse = 1 / scale, k = gs / T(count)
        var total = 0.0
        for j in 0..<count {
            let v = g[j] * inverse + k * n[j]
            out[j] = v
            total += Double(v)
        }
        guard centred else { return }
        let mean = T(total / Double(count))
        for j in 0..<count { out[j] -= mean }
    }
}

/// The backward of a normalisation module (weights fixed).
extension NormalizationLayer {
    /// The gain `w` (nil for the folded variants).
    var gain: Tensor? {
        switch self {
        case let norm as LayerNorm: return norm.w
        case let norm as RMSNorm: return norm.w
        default: return nil
        }
    }

    /// The gradient at the module's input from `gOut`, the gradient at its output (`[..., D]`), through
    /// `· w (+ b)`, `hook_normalized` and `hook_scale` (visited in that order); reads the two hooks' recorded values.
    func backward(_ gOut: Tensor, tape: BackwardTape, hooks: GradientRunner) throws -> Tensor {
        let normalized = try tape.pop(name + ".hook_normalized").contiguous()
        let scale = try tape.pop(name + ".hook_scale").contiguous()
        guard gOut.shape == normalized.shape else {
            throw BackwardError.invalidInput("\(name): gradient \(gOut.shape) for an output of \(normalized.shape)")
        }
        var g = gain.map { gOut * $0 } ?? gOut
        g = try hooks(name + ".hook_normalized", g).contiguousFloat32()
        let count = normalized.shape.last ?? 1, rows = normalized.count / max(count, 1)
        let gScale = Tensor(uninitialized: scale.shape)
        let (gp, np, sp, gsp) = (g.elementPointer, normalized.elementPointer, scale.elementPointer, gScale.elementPointer)
        Parallel.forChunks(rows, costPerElement: count * 2) { r0, r1 in
            for r in r0..<r1 {
                gsp[r] = NormalizationBackward.scaleGradient(gp + r * count, np + r * count, scale: sp[r], count: count)
            }
        }
        let gs = try hooks(name + ".hook_scale", gScale).contiguousFloat32()
        let out = Tensor(uninitialized: normalized.shape)
        let (gsv, op) = (gs.elementPointer, out.elementPointer)
        let centred = !kind.isRMS
        Parallel.forChunks(rows, costPerElement: count * 3) { r0, r1 in
            for r in r0..<r1 {
                NormalizationBackward.inputGradient(gp + r * count, np + r * count, scale: sp[r], scaleGradient: gsv[r],
                                                    count: count, centred: centred, into: op + r * count)
            }
        }
        return withExtendedLifetime((g, normalized, scale, gScale, gs)) { out }
    }
}
