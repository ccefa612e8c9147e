/// An einops pattern bound to a tensor shape: ellipsis expanded, every elementary axis sized,
/// and the left/right axis sets checked for the operation.
struct EinopsPlan {
    typealias Axis = EinopsPattern.Axis

    /// Which einops operation the plan serves; it decides which axes may appear on one side only.
    enum Kind: String {
        /// Same axes on both sides.
        case rearrange
        /// The right side may add axes (sized by `sizes` or anonymous integers).
        case `repeat`
        /// The left side may have axes the right lacks; they are reduced.
        case reduce
    }

    /// Elementary axes of the left side in order (unit axes dropped).
    let leftAxes: [Axis]
    /// Groups of the right side with the ellipsis expanded.
    let rightGroups: [[Axis]]
    /// Size of every elementary axis.
    let sizes: [Axis: Int]

    /// Binds `pattern` to `shape` with the user-given `named` sizes.
    init(_ pattern: EinopsPattern, kind: Kind, shape: [Int], sizes named: [String: Int]) throws {
        let groups = pattern.left.filter { $0 != [.ellipsis] }.count
        let hasEllipsis = pattern.left.contains([.ellipsis])
        guard hasEllipsis ? shape.count >= groups : shape.count == groups else {
            throw pattern.error("left side has \(groups) axis groups\(hasEllipsis ? " plus '...'" : "") but the "
                                + "tensor has shape \(shape)")
        }
        let ellipsis = (0..<(shape.count - groups)).map { Axis.ellipsisAxis($0) }
        let left = pattern.left.flatMap { $0 == [.ellipsis] ? ellipsis.map { [$0] } : [$0] }
        rightGroups = pattern.right.flatMap { group -> [[Axis]] in
            if group == [.ellipsis] { return ellipsis.map { [$0] } }
            return [group.flatMap { $0 == .ellipsis ? ellipsis : [$0] }]
        }
        leftAxes = left.flatMap { $0 }
        let rightAxes = rightGroups.flatMap { $0 }
        try EinopsPlan.checkSides(pattern, kind: kind, left: leftAxes, right: rightAxes)
        var sizes = try EinopsPlan.given(named, pattern: pattern, axes: Set(leftAxes + rightAxes))
        for (group, extent) in zip(left, shape) {
            try EinopsPlan.solve(group, extent: extent, sizes: &sizes, pattern: pattern)
        }
        for axis in rightAxes where sizes[axis] == nil {
            throw pattern.error("new axis '\(EinopsPattern.name(axis))' needs a size")
        }
        self.sizes = sizes
    }

    /// Enforces which axes may appear on only one side for `kind`.
    private static func checkSides(_ pattern: EinopsPattern, kind: Kind, left: [Axis], right: [Axis]) throws {
        let onlyLeft = left.filter { !right.contains($0) }, onlyRight = right.filter { !left.contains($0) }
        if kind != .reduce, let axis = onlyLeft.first {
            throw pattern.error("axis '\(EinopsPattern.name(axis))' is on the left side but not the right")
        }
        if kind != .repeat, let axis = onlyRight.first {
            throw pattern.error("axis '\(EinopsPattern.name(axis))' is on the right side but not the left")
        }
    }

    /// The user-given sizes and the anonymous axes' sizes, keyed by axis.
    private static func given(_ named: [String: Int], pattern: EinopsPattern, axes: Set<Axis>) throws -> [Axis: Int] {
        var sizes: [Axis: Int] = [:]
        for (name, size) in named.sorted(by: { $0.key < $1.key }) {
            guard axes.contains(.named(name)) else {
                throw pattern.error("size given for axis '\(name)' that the pattern does not use")
            }
            guard size > 0 else { throw pattern.error("size of axis '\(name)' must be positive, got \(size)") }
            sizes[.named(name)] = size
        }
        for case let .anonymous(size, id) in axes { sizes[.anonymous(size: size, id: id)] = size }
        return sizes
    }

    /// Sizes the axes of one left group so that their product is `extent` (at most one unknown).
    private static func solve(_ group: [Axis], extent: Int, sizes: inout [Axis: Int], pattern: EinopsPattern) throws {
        if case .ellipsisAxis? = group.first {
            sizes[group[0]] = extent
            return
        }
        let label = group.count == 1 ? "'\(EinopsPattern.name(group[0]))'"
            : "(\(group.map(EinopsPattern.name).joined(separator: " ")))"
        let unknown = group.filter { sizes[$0] == nil }
        let known = group.compactMap { sizes[$0] }.reduce(1, *)
        switch unknown.count {
        case 0:
            guard known == extent else {
                throw pattern.error("axis \(label) has size \(extent) but its axes multiply to \(known)")
            }
        case 1:
            guard extent % known == 0 else {
                throw pattern.error("cannot split an axis of size \(extent) into \(label): not a multiple of \(known)")
            }
            sizes[unknown[0]] = extent / known
        default:
            let names = unknown.map { "'\(EinopsPattern.name($0))'" }.joined(separator: ", ")
            throw pattern.error("cannot infer sizes of \(names) in \(label) from the axis of size \(extent)")
        }
    }

    /// Applies the plan: split the left groups, reduce left-only axes with `reduction`,
    /// permute into right order, broadcast new axes, merge the right groups.
    func apply(_ x: Tensor, reduction: (_ x: Tensor, _ axes: [Int]) throws -> Tensor) rethrows -> Tensor {
        let rightAxes = rightGroups.flatMap { $0 }
        var t = x.reshaped(leftAxes.map { sizes[$0]! })
        let reduced = Set(leftAxes.indices.filter { !rightAxes.contains(leftAxes[$0]) })
        let kept = leftAxes.filter(rightAxes.contains)
        if !reduced.isEmpty { t = try reduction(t, reduced.sorted()) }
        let present = rightAxes.filter(kept.contains)
        t = t.permuted(present.map { kept.firstIndex(of: $0)! })
        for (position, axis) in rightAxes.enumerated() where !kept.contains(axis) {
            t = t.unsqueezed(position)
        }
        t = t.expanded(to: rightAxes.map { sizes[$0]! })
        return t.reshaped(rightGroups.map { $0.reduce(1) { $0 * sizes[$1]! } })
    }

    /// `reduction` over `axes` of `t`.
    static func reduce(_ t: Tensor, over axes: [Int], _ reduction: EinopsReduction) -> Tensor {
        switch reduction {
        case .sum: return t.sum(axes: axes)
        case .max: return t.max(axes: axes)
        case .min: return t.min(axes: axes)
        case .mean: return t.mean(axes: axes)
        }
    }
}
