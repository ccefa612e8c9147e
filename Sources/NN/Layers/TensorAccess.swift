extension Tensor {
    /// Pointer to element `[0, ...]` of a Float32 tensor (walk it with `strides`). Writing through it is
    /// only valid on a tensor this code just allocated and has not shared.
    var elementPointer: UnsafeMutablePointer<Float> {
        ensure(dtype == .float32, "elementPointer: tensor of shape \(shape) has dtype \(dtype)")
        return storage.base.assumingMemoryBound(to: Float.self) + offset
    }

    /// The tensor as contiguous Float32 (itself when it already is).
    func contiguousFloat32() -> Tensor {
        converted(to: .float32).contiguous()
    }
}
