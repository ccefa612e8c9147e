/// One component of a NumPy-style index: `t[0, 1..<3, .all, .newAxis, .ellipsis]`.
public struct TensorIndex: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case at(Int)
        case slice(start: Int?, end: Int?, step: Int)
        case all, newAxis, ellipsis
        /// Integer index array (row-major values) and boolean mask (AdvancedIndexing.swift).
        case array([Int], shape: [Int])
        case mask([Bool], shape: [Int])
    }

    let kind: Kind
}

/// Anything usable inside a tensor subscript.
public protocol TensorIndexExpression {
    /// The index component this expression stands for.
    var tensorIndex: TensorIndex { get }
}

extension TensorIndex: TensorIndexExpression { public var tensorIndex: TensorIndex { self } }
extension Int: TensorIndexExpression { public var tensorIndex: TensorIndex { .at(self) } }
extension Range: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: upperBound, step: 1) }
}
extension ClosedRange: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: upperBound + 1, step: 1) }
}
extension PartialRangeFrom: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: lowerBound, end: nil, step: 1) }
}
extension PartialRangeUpTo: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: nil, end: upperBound, step: 1) }
}
extension PartialRangeThrough: TensorIndexExpression where Bound == Int {
    public var tensorIndex: TensorIndex { .slice(start: nil, end: upperBound + 1, step: 1) }
}

extension Tensor {
    /// A view selected by NumPy-style indices (a copy with index arrays or masks, see AdvancedIndexing.swift);
    /// traps on an out-of-range index.
    public subscript(_ indices: any TensorIndexExpression...) -> Tensor {
        get { view(indices.map(\.tensorIndex)) }
        set { assign(newValue, to: indices.map(\.tensorIndex)) }
    }

    /// A view selected by an index list; traps on an out-of-range index.
    public func view(_ indices: [TensorIndex]) -> Tensor {
        do { return try indexed(indices) } catch { programmerError("\(error)") }
    }

    /// Throwing indexing for indices that come from data.
    public func indexed(_ indices: [TensorIndex]) throws -> Tensor {
        if indices.contains(where: \.isAdvanced) { return try advancedIndexed(indices) }
        let op = "index \(shape)"
        let consumed = indices.filter { $0 != .newAxis && $0 != .ellipsis }.count
        guard indices.filter({ $0 == .ellipsis }).count <= 1 else {
            throw TensorError.invalidSpec(op: op, spec: "\(indices)", reason: "more than one ellipsis")
        }
        guard consumed <= rank else {
            throw TensorError.invalidSpec(op: op, spec: "\(indices)", reason: "\(consumed) indices for rank \(rank)")
        }
        var expanded: [TensorIndex] = []
        for index in indices {
            if index == .ellipsis {
                expanded += [TensorIndex](repeating: .all, count: rank - consumed)
            } else {
                expanded.append(index)
            }
        }
        if !indices.contains(.ellipsis) {
            expanded += [TensorIndex](repeating: .all, count: rank - consumed)
        }
        var newShape: [Int] = [], newStrides: [Int] = []
        var newOffset = offset
        var axis = 0
        for index in expanded {
            switch index.kind {
            case .newAxis:
                newShape.append(1)
                newStrides.append(0)
            case .at(let i):
                let j = i < 0 ? i + shape[axis] : i
                guard j >= 0 && j < shape[axis] else {
                    throw TensorError.indexOutOfRange(op: op, index: i, extent: shape[axis])
                }
                newOffset += j * strides[axis]
                axis += 1
            case .all:
                newShape.append(shape[axis])
                newStrides.append(strides[axis])
                axis += 1
            case let .slice(start, end, step):
                guard step != 0 else {
                    throw TensorError.invalidSpec(op: op, spec: "\(index)", reason: "slice step is zero")
                }
                let (first, n) = Tensor.sliceBounds(start, end, step, extent: shape[axis])
                newOffset += n > 0 ? first * strides[axis] : 0
                newShape.append(n)
                newStrides.append(strides[axis] * step)
                axis += 1
            case .ellipsis, .array, .mask:
                break
            }
        }
        return Tensor(storage: storage, shape: newShape, strides: newStrides, offset: newOffset)
    }

    /// Python slice semantics: the first index and the number of selected positions.
    static func sliceBounds(_ start: Int?, _ end: Int?, _ step: Int, extent n: Int) -> (Int, Int) {
        func clamp(_ v: Int, _ lo: Int, _ hi: Int) -> Int { Swift.min(Swift.max(v, lo), hi) }
        if step > 0 {
            let s = clamp(start.map { $0 < 0 ? $0 + n : $0 } ?? 0, 0, n)
            let e = clamp(end.map { $0 < 0 ? $0 + n : $0 } ?? n, 0, n)
            return (s, e > s ? (e - s + step - 1) / step : 0)
        } else {
            let s = clamp(start.map { $0 < 0 ? $0 + n : $0 } ?? n - 1, -1, n - 1)
            let e = clamp(end.map { $0 < 0 ? $0 + n : $0 } ?? -1, -1, n - 1)
            return (s, s > e ? (s - e - step - 1) / -step : 0)
        }
    }

    /// Writes `value` (broadcast to the selected region) into the positions `indices` select.
    public mutating func assign(_ value: Tensor, to indices: [TensorIndex]) {
        if indices.contains(where: \.isAdvanced) {
            do { return try advancedAssign(value, to: indices) } catch { preconditionFailure("\(error)") }
        }
        makeUniqueContiguous()
        var target = view(indices)
        let source = value.expanded(to: target.shape)
        target.copyElements(from: source)
    }
}

extension TensorIndexExpression where Self == TensorIndex {
    /// A single position; drops the axis. Negative counts from the end.
    public static func at(_ i: Int) -> TensorIndex { TensorIndex(kind: .at(i)) }
    /// `start..<end` by `step` (nil bounds mean the axis ends; negative values count from the end).
    public static func slice(start: Int?, end: Int?, step: Int) -> TensorIndex {
        TensorIndex(kind: .slice(start: start, end: end, step: step))
    }
    /// Every position of the axis (`:`).
    public static var all: TensorIndex { TensorIndex(kind: .all) }
    /// Inserts a size-1 axis (`None`).
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// Stands for as many `.all` as needed (`...`).
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
    /// `start:end:step` with optional bounds.
    public static func stride(_ start: Int? = nil, _ end: Int? = nil, by step: Int) -> TensorIndex {
        .slice(start: start, end: end, step: step)
    }
}
