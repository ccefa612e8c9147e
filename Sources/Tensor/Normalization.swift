import Kernels

/// LayerNorm and RMSNorm over the last axis in TransformerLens's formulation, returning the normalized
/// values and the per-row scale (`hook_normalized`, `hook_scale`). Results are contiguous Float32.
extension Tensor {
    /// LayerNorm over the last axis: `c = x − mean(x)`, `scale = √(mean(c²) + eps)`,
    /// `normalized = c / scale`, then `· weight + bias` when given (each of shape `[d]`, `d` the last axis).
    /// `normalized` has `self`'s shape; `scale` has shape `[..., 1]`.
    public func layerNormalized(
        eps: Float, weight: Tensor? = nil, bias: Tensor? = nil
    ) -> (normalized: Tensor, scale: Tensor) {
        normalizedRows(op: "layerNormalized", weight: weight, bias: bias) { x, out, scales, rows, cols, w, b in
            Normalization.layerNorm(x, out, scales: scales, rows: rows, cols: cols, eps: eps, weight: w, bias: b)
        }
    }

    /// RMSNorm over the last axis: `scale = √(mean(x²) + eps)`, `normalized = x / scale`, then `· weight`
    /// when given (shape `[d]`). `normalized` has `self`'s shape; `scale` has shape `[..., 1]`.
    public func rmsNormalized(eps: Float, weight: Tensor? = nil) -> (normalized: Tensor, scale: Tensor) {
        normalizedRows(op: "rmsNormalized", weight: weight, bias: nil) { x, out, scales, rows, cols, w, _ in
            Normalization.rmsNorm(x, out, scales: scales, rows: rows, cols: cols, eps: eps, weight: w)
        }
    }

    /// Shared driver: checks the affine factors, lays the rows out contiguously and runs `kernel`
    /// `(x, out, scales, rows, cols, weight, bias)`.
    private func normalizedRows(
        op: String, weight: Tensor?, bias: Tensor?,
        _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int,
                   UnsafePointer<Float>?, UnsafePointer<Float>?) -> Void
    ) -> (normalized: Tensor, scale: Tensor) {
        ensure(rank >= 1, "\(op): needs at least one axis, got shape \(shape)")
        let cols = shape[rank - 1]
        for (name, factor) in [("weight", weight), ("bias", bias)] {
            if let f = factor {
                ensure(f.shape == [cols], "\(op): \(name) of shape \(f.shape) does not match input \(shape)")
            }
        }
        let x = float32Contiguous()
        let out = x.storage === storage ? Tensor(uninitialized: shape) : x
        let scale = Tensor(uninitialized: Array(shape.dropLast()) + [1])
        let w = weight?.float32Contiguous(), b = bias?.float32Contiguous()
        withExtendedLifetime((x, w, b)) {
            kernel(x.floatPointer, out.floatPointer, scale.floatPointer, shape.dropLast().reduce(1, *), cols,
                   w.map { UnsafePointer($0.floatPointer) }, b.map { UnsafePointer($0.floatPointer) })
        }
        return (out, scale)
    }
}
