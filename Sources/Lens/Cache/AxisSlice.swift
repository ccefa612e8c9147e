/// A selection along one axis, TransformerLens's `Slice` (`pos_slice`, `batch_slice`, `neuron_slice`).
///
/// `.all` leaves the axis unchanged (`None`); `.index(i)` keeps one position and drops the axis (`int`, so
/// `posSlice: -1` is the last position); `.range` is Python's `start:stop:step` (a tuple `(k,)`, `(m, k)`,
/// `(m, k, n)` in TransformerLens); `.indices` stacks the listed positions (a list or tensor).
public enum AxisSlice: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// Every position (TransformerLens `None`).
    case all
    /// One position, negative counting from the end; the axis is removed.
    case index(Int)
    /// Python `start:stop:step` (nil bounds mean the axis ends, nil step means 1).
    case range(start: Int?, stop: Int?, step: Int? = nil)
    /// The listed positions in order, negative counting from the end.
    case indices([Int])

    /// An integer literal selects one position.
    public init(integerLiteral value: Int) { self = .index(value) }
    /// An array literal selects several positions.
    public init(arrayLiteral elements: Int...) { self = .indices(elements) }

    /// Whether the slice removes the axis it is applied to.
    public var dropsAxis: Bool {
        if case .index = self { return true }
        return false
    }

    /// The positions selected from an axis of `count` (`Slice.indices(max_ctx)`); throws for an index outside it.
    public func positions(count: Int) throws -> [Int] {
        func wrap(_ i: Int) throws -> Int {
            let j = i < 0 ? i + count : i
            guard j >= 0, j < count else {
                throw LensError.invalidArgument("slice index \(i) is outside an axis of \(count)")
            }
            return j
        }
        switch self {
        case .all: return Array(0..<count)
        case let .index(i): return [try wrap(i)]
        case let .indices(list): return try list.map(wrap)
        case let .range(start, stop, step):
            let by = step ?? 1
            guard by != 0 else { throw LensError.invalidArgument("slice step is zero") }
            let (first, n) = pythonSliceBounds(start, stop, by, extent: count)
            return (0..<n).map { first + $0 * by }
        }
    }

    /// `tensor` with the slice applied to `axis` (negative counts from the end): a view, except `.indices`,
    /// which copies. Throws for an axis the tensor lacks or an index outside the axis.
    public func apply(_ tensor: Tensor, axis: Int) throws -> Tensor {
        let rank = tensor.rank
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank else {
            throw LensError.invalidArgument("slice axis \(axis) for a tensor of shape \(tensor.shape)")
        }
        let extent = tensor.shape[a]
        var index = [TensorIndex](repeating: .all, count: a)
        switch self {
        case .all: return tensor
        case .index:
            index.append(.at(try positions(count: extent)[0]))
        case let .range(start, stop, step):
            guard (step ?? 1) != 0 else { throw LensError.invalidArgument("slice step is zero") }
            index.append(.slice(start: start, end: stop, step: step ?? 1))
        case .indices:
            return try tensor.indexSelect(try positions(count: extent), axis: a)
        }
        return try tensor.indexed(index)
    }
}

/// Python slice semantics: the first selected index and how many are selected from an axis of `n`.
func pythonSliceBounds(_ start: Int?, _ end: Int?, _ step: Int, extent n: Int) -> (first: Int, count: Int) {
    func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(v, lo), hi) }
    if step > 0 {
        let s = clamp(start.map { $0 < 0 ? $0 + n : $0 } ?? 0, 0, n)
        let e = clamp(end.map { $0 < 0 ? $0 + n : $0 } ?? n, 0, n)
        return (s, e > s ? (e - s + step - 1) / step : 0)
    }
    let s = clamp(start.map { $0 < 0 ? $0 + n : $0 } ?? n - 1, -1, n - 1)
    let e = clamp(end.map { $0 < 0 ? $0 + n : $0 } ?? -1, -1, n - 1)
    return (s, s > e ? (s - e - step - 1) / -step : 0)
}
