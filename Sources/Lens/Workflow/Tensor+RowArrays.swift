extension Tensor {
    /// The rows of a 2-d tensor as arrays, `[rows][columns]` (traps on another rank: a programmer error).
    public var rowArrays: [[Float]] {
        ensure(rank == 2, "rowArrays: tensor of shape \(shape) is not 2-d")
        let flat = contiguous().scalars, columns = shape[1]
        return (0..<shape[0]).map { Array(flat[($0 * columns)..<(($0 + 1) * columns)]) }
    }
}
