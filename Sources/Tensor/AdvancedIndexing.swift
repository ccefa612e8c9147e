/// NumPy's advanced indexing: integer arrays (`x[[0, 2]]`, `x[.all, [3, 3, 4, 4], [3, 4, 3, 4]]`), boolean
/// masks (`x[.mask(x .> 0)]`), flat scatter (`x[flat: squares] = values`), and slices with negative bounds
/// (`x[.all, .range(3, -3)]`, Python's `x[:, 3:-3]`).
///
/// The rules are NumPy's (and PyTorch's): all index arrays, and integers standing next to them, broadcast to
/// one shape `B`; element `b` of the result reads `x[i₁[b], i₂[b], …]`. When the array indices sit next to
/// each other the axes of `B` replace them in place; otherwise they come first. A mask over `k` axes is the
/// `k` index arrays of its true positions (row-major). Advanced indexing copies; assignment writes every
/// selected position (the last write wins for a repeated index).
extension TensorIndexExpression where Self == TensorIndex {
    /// An integer index array (negative counts from the end): `x[.indices([3, 3, 4, 4])]`. A plain `[Int]`
    /// works as well.
    public static func indices(_ values: [Int]) -> TensorIndex { TensorIndex(kind: .array(values, shape: [values.count])) }

    /// An integer index array of any shape from an integer tensor (`argsort`, `topk` indices); its shape
    /// replaces the indexed axis (floating-point values are truncated toward zero).
    public static func indices(_ tensor: Tensor) -> TensorIndex {
        TensorIndex(kind: .array(tensor.intScalars, shape: tensor.shape))
    }

    /// A boolean mask over as many axes as it has (true selects).
    public static func mask(_ values: [Bool]) -> TensorIndex { TensorIndex(kind: .mask(values, shape: [values.count])) }

    /// A mask from a tensor (nonzero selects, as the 0/1 results of `.>`, `.==` give), covering `tensor.rank` axes.
    public static func mask(_ tensor: Tensor) -> TensorIndex {
        TensorIndex(kind: .mask(tensor.scalars.map { $0 != 0 }, shape: tensor.shape))
    }

    /// Python's `start:end:step` with negative bounds counting from the end and nil meaning the axis end:
    /// `.range(3, -3)` is `3:-3`, `.range(-5)` is `-5:`, `.range(nil, -1)` is `:-1`, `.range(step: -1)` is `::-1`.
    public static func range(_ start: Int? = nil, _ end: Int? = nil, step: Int = 1) -> TensorIndex {
        .slice(start: start, end: end, step: step)
    }
}

extension Array: TensorIndexExpression where Element == Int {
    /// The integers as an index array.
    public var tensorIndex: TensorIndex { .indices(self) }
}

extension TensorIndex {
    /// Whether this index is an integer array or a mask.
    var isAdvanced: Bool {
        switch kind {
        case .array, .mask: return true
        default: return false
        }
    }

    /// Axes of the indexed tensor this index consumes.
    var consumedAxes: Int {
        switch kind {
        case .newAxis, .ellipsis: return 0
        case let .mask(_, shape): return shape.count
        default: return 1
        }
    }
}

/// How an advanced index selects: the view left by the basic indices, the axes of that view the index
/// arrays address, the arrays broadcast to one shape, and where their axes go in the result.
struct AdvancedSelection {
    /// The view after the basic indices (arrays replaced by full slices).
    var base: Tensor
    /// Axes of `base` addressed by the arrays, in index order.
    let axes: [Int]
    /// The arrays, each resolved against its axis and broadcast to `shape` (row-major, `count` elements).
    let arrays: [[Int]]
    /// The broadcast shape of the arrays.
    let shape: [Int]
    /// Where the array axes go among the remaining axes of `base` (0 when they lead).
    let insertion: Int

    /// The remaining (not addressed) axes of `base`, in order.
    var restAxes: [Int] { (0..<base.rank).filter { !axes.contains($0) } }

    /// Shape of the result: the rest with `shape` inserted at `insertion`.
    var resultShape: [Int] {
        let rest = restAxes.map { base.shape[$0] }
        return Array(rest[..<insertion]) + shape + Array(rest[insertion...])
    }

    /// Number of selected index tuples.
    var count: Int { shape.reduce(1, *) }

    /// The storage offset of index tuple `b` in `base`.
    func offset(_ b: Int) -> Int {
        var o = base.offset
        for (k, axis) in axes.enumerated() { o += arrays[k][b] * base.strides[axis] }
        return o
    }

    /// The slab of `base` at index tuple `b`: the remaining axes, sharing storage.
    func slab(_ b: Int) -> Tensor {
        let rest = restAxes
        return Tensor(storage: base.storage, shape: rest.map { base.shape[$0] }, strides: rest.map { base.strides[$0] },
                      offset: offset(b))
    }

    /// Moves the axes of `value` (laid out as `resultShape`) into tuple-major order `shape + rest`.
    func tupleMajor(_ value: Tensor) -> Tensor {
        let r = shape.count, restCount = base.rank - axes.count
        let order = Array(insertion..<(insertion + r)) + Array(0..<insertion) + Array((insertion + r)..<(r + restCount))
        return value.permuted(order)
    }

    /// Moves the axes of a tuple-major tensor (`shape + rest`) to `resultShape` order.
    func resultOrder(_ value: Tensor) -> Tensor {
        let r = shape.count, restCount = base.rank - axes.count
        let order = Array(r..<(r + insertion)) + Array(0..<r) + Array((r + insertion)..<(r + restCount))
        return value.permuted(order)
    }
}

extension Tensor {
    /// The positions an index list with arrays or masks selects (throws for a bad index or shape).
    func advancedSelection(_ indices: [TensorIndex]) throws -> AdvancedSelection {
        let op = "index \(shape)"
        guard indices.filter({ $0 == .ellipsis }).count <= 1 else {
            throw TensorError.invalidSpec(op: op, spec: "\(indices)", reason: "more than one ellipsis")
        }
        let consumed = indices.map(\.consumedAxes).reduce(0, +)
        guard consumed <= rank else {
            throw TensorError.invalidSpec(op: op, spec: "\(indices)", reason: "indices for \(consumed) axes of a rank-\(rank) tensor")
        }
        var expanded: [TensorIndex] = []
        for index in indices {
            if index == .ellipsis { expanded += [TensorIndex](repeating: .all, count: rank - consumed) } else { expanded.append(index) }
        }
        if !indices.contains(.ellipsis) { expanded += [TensorIndex](repeating: .all, count: rank - consumed) }

        // Walk the indices: basic ones build the view; arrays (and integers, which become 0-d arrays) are
        // recorded with the view axis they address and the position in the index list.
        var basic: [TensorIndex] = [], axes: [Int] = [], arrays: [(values: [Int], shape: [Int])] = []
        var entries: [Int] = []
        var axis = 0, viewAxis = 0
        func addArray(_ values: [Int], shape arrayShape: [Int], entry: Int) throws {
            arrays.append((try Tensor.resolve(values, extent: shape[axis], op: "\(op) axis \(axis)"), arrayShape))
            axes.append(viewAxis)
            entries.append(entry)
            basic.append(.all)
            axis += 1
            viewAxis += 1
        }
        for (entry, index) in expanded.enumerated() {
            switch index.kind {
            case let .array(values, arrayShape):
                try addArray(values, shape: arrayShape, entry: entry)
            case let .at(i):
                try addArray([i], shape: [], entry: entry)
            case let .mask(values, maskShape):
                let covered = Array(shape[axis..<(axis + maskShape.count)])
                guard covered == maskShape else {
                    throw TensorError.shapeMismatch(op: "\(op) mask over axes \(axis)..<\(axis + maskShape.count)",
                                                    shapes: [maskShape, covered])
                }
                let chosen = values.indices.filter { values[$0] }
                let strides = Shape.contiguousStrides(maskShape)
                for k in maskShape.indices {
                    try addArray(chosen.map { ($0 / strides[k]) % maskShape[k] }, shape: [chosen.count], entry: entry)
                }
            case .newAxis:
                basic.append(.newAxis)
                viewAxis += 1
            default:
                basic.append(index)
                axis += 1
                viewAxis += 1
            }
        }
        let broadcastShape = try arrays.reduce([Int]()) { acc, array in
            guard let joined = Shape.broadcast(acc, array.shape) else {
                throw TensorError.shapeMismatch(op: "\(op) index arrays", shapes: arrays.map(\.shape))
            }
            return joined
        }
        let broadcast = arrays.map { Tensor.broadcastValues($0.values, shape: $0.shape, to: broadcastShape) }
        // Integers and arrays in consecutive index entries keep their place; separated ones lead.
        let distinct = Array(Set(entries)).sorted()
        let adjacent = distinct.last! - distinct.first! == distinct.count - 1
        let view = try indexed(basic)
        let insertion = adjacent ? axes[0] : 0
        return AdvancedSelection(base: view, axes: axes, arrays: broadcast, shape: broadcastShape, insertion: insertion)
    }

    /// Values laid out with `shape`, broadcast (NumPy rules) to `target`, row-major.
    static func broadcastValues(_ values: [Int], shape: [Int], to target: [Int]) -> [Int] {
        if shape == target { return values }
        let padded = [Int](repeating: 1, count: target.count - shape.count) + shape
        var strides = Shape.contiguousStrides(padded)
        for k in padded.indices where padded[k] == 1 { strides[k] = 0 }
        let outStrides = Shape.contiguousStrides(target)
        return (0..<target.reduce(1, *)).map { flat in
            var source = 0
            for k in target.indices { source += (flat / outStrides[k]) % target[k] * strides[k] }
            return values[source]
        }
    }

    /// The elements an index list with arrays or masks selects, as a new contiguous tensor.
    func advancedIndexed(_ indices: [TensorIndex]) throws -> Tensor {
        let selection = try advancedSelection(indices)
        let restShape = selection.restAxes.map { selection.base.shape[$0] }
        var gathered = Tensor(zeros: selection.shape + restShape, dtype: dtype)
        let slab = restShape.reduce(1, *)
        for b in 0..<selection.count {
            var target = Tensor(storage: gathered.storage, shape: restShape, strides: Shape.contiguousStrides(restShape),
                                offset: b * slab)
            target.copyElements(from: selection.slab(b))
        }
        gathered = selection.resultOrder(gathered)
        return gathered.contiguous()
    }

    /// Writes `value` (broadcast to the selected shape) into the positions an index list with arrays or
    /// masks selects.
    mutating func advancedAssign(_ value: Tensor, to indices: [TensorIndex]) throws {
        makeUniqueContiguous()
        let selection = try advancedSelection(indices)
        let restShape = selection.restAxes.map { selection.base.shape[$0] }
        let source = selection.tupleMajor(try value.broadcast(to: selection.resultShape)).contiguous()
            .reshaped([selection.count] + restShape)
        for b in 0..<selection.count {
            var target = selection.slab(b)
            target.copyElements(from: source.view([.at(b)]))
        }
    }

    /// Elements at row-major positions `indices` of the tensor read as flat from axis `start` on
    /// (`x.flatten(start)[..., indices]`): `[shape[..<start]..., indices.count]`. Setting writes those
    /// positions (`x.flatten()[squares] = values`, which writes through in PyTorch).
    public subscript(flat indices: [Int], fromAxis start: Int = 0) -> Tensor {
        get {
            let leading = Array(shape[..<start])
            return reshaped(leading + [-1]).view(Array(repeating: TensorIndex.all, count: start) + [.indices(indices)])
        }
        set {
            let original = shape
            var flat = self
            self = Tensor(zeros: [])
            flat = flat.reshaped(Array(original[..<start]) + [-1])
            flat.assign(newValue, to: Array(repeating: TensorIndex.all, count: start) + [.indices(indices)])
            self = flat.reshaped(original)
        }
    }
}
