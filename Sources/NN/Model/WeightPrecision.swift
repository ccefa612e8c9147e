/// The element type a loaded model keeps its weights in. Products always compute in Float32 from them
/// (`Tensor.matmul(weight:)`); activations, caches, analyses and gradients are Float32 either way.
///
/// - `stored`: each weight keeps the checkpoint's dtype (F32, F16 or BF16). Unprocessed weights are views of
///   the memory-mapped file (no copy; tied embeddings held once), so a BF16 model takes 2 bytes per parameter
///   and its unprocessed outputs equal a Float32 model of the same (exactly widened) weights. Weights that
///   processing rewrites (folding, centring) are computed in Float32 and rounded back to the stored dtype
///   (round to nearest even): that rounding is this policy's only error (docs/SCALE.md states its bound).
/// - `float32`: every weight is widened to Float32 at load (4 bytes per parameter) and processing runs and
///   stays in Float32, as TransformerLens's `from_pretrained(dtype=torch.float32)` does.
/// - `automatic` (the default): `stored` when the weights are not processed (exact, and half the memory for 16-bit
///   checkpoints), `float32` when they are (exactly TransformerLens's processing).
public enum WeightPrecision: String, Sendable, CaseIterable, CustomStringConvertible {
    case automatic = "auto"
    case stored
    case float32 = "fp32"

    public var description: String { rawValue }

    /// `stored` or `float32`: what `automatic` means for `processing`.
    public func resolved(for processing: WeightProcessing) -> WeightPrecision {
        guard self == .automatic else { return self }
        return processing == .none ? .stored : .float32
    }

    /// Bytes one weight takes under this (resolved) policy when the checkpoint stores it in `dtype`.
    public func bytes(storedAs dtype: DType) -> Int {
        self == .float32 ? 4 : dtype.byteCount
    }
}

extension StateDict {
    /// Every tensor widened to Float32, dense views of the same elements sharing one converted buffer (so a
    /// tied `W_E` / `W_U` stays one array).
    func widenedToFloat32() -> StateDict {
        var out = StateDict(source: source)
        let tensors = names.map { self[$0]! }
        let progress = LoadProgress("widening weights to fp32", total: tensors.reduce(0) { $0 + $1.count })
        let converted = Tensor.convertedSharingSpans(tensors, to: .float32) { progress.advance($0.count) }
        progress.finish()
        for (name, tensor) in zip(names, converted) { out[name] = tensor }
        return out
    }

    /// Rounds each of the tensors `names` that processing made Float32 back to the type of its unprocessed
    /// original in `originals` (round to nearest even), keeping its layout, and releases the mapped pages of each
    /// original a processed copy replaced (`Tensor.releaseMappedPages`). Tensors processing left untouched are
    /// still views of the checkpoint and stay as they are.
    mutating func round(_ names: [String], toTypesOf originals: StateDict) {
        for name in names {
            guard let original = originals[name], let tensor = self[name], tensor.storage !== original.storage,
                  !original.dtype.isInteger, !tensor.dtype.isInteger else { continue }
            if tensor.dtype != original.dtype { self[name] = tensor.convertedKeepingLayout(to: original.dtype) }
            original.releaseMappedPages()
        }
    }
}
