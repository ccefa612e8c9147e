/// Errors thrown by tensor operations on input that comes from outside the program.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Shapes that an operation cannot combine.
    case shapeMismatch(op: String, shapes: [[Int]])
    /// An axis outside `-rank..<rank`.
    case invalidAxis(op: String, axis: Int, rank: Int)
    /// An index outside its axis.
    case indexOutOfRange(op: String, index: Int, extent: Int)
    /// A malformed operation spec (einsum, rearrange, slice).
    case invalidSpec(op: String, spec: String, reason: String)
    /// An element type an operation does not accept.
    case unsupportedDType(op: String, dtype: String)
    /// A malformed or truncated file.
    case invalidFile(path: String, reason: String)
    /// A numerical routine that failed (LAPACK info code and meaning).
    case numerical(op: String, reason: String)
    /// An allocation refused before it was made: `what` needs `needed` bytes (nil: the size overflows `Int`)
    /// but only `available` can be allocated (see `MemoryBudget`).
    case insufficientMemory(what: String, needed: Int?, available: Int)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, shapes):
            return "\(op): incompatible shapes \(shapes.map { "\($0)" }.joined(separator: " and "))"
        case let .invalidAxis(op, axis, rank):
            return "\(op): axis \(axis) is out of range for a tensor of rank \(rank)"
        case let .indexOutOfRange(op, index, extent):
            return "\(op): index \(index) is out of range for an axis of size \(extent)"
        case let .invalidSpec(op, spec, reason):
            return "\(op): invalid spec \"\(spec)\": \(reason)"
        case let .unsupportedDType(op, dtype):
            return "\(op): unsupported dtype \(dtype)"
        case let .invalidFile(path, reason):
            return "\(path): \(reason)"
        case let .numerical(op, reason):
            return "\(op): \(reason)"
        case let .insufficientMemory(what, needed, available):
            let size = needed.map { "\($0) bytes (\(MemoryBudget.format($0)))" } ?? "more bytes than an Int can count"
            return "\(what) needs \(size) but only \(available) bytes (\(MemoryBudget.format(available))) can be allocated"
        }
    }
}
