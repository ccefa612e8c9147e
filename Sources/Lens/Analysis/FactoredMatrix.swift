/// A matrix kept as the product of two factors, `M = A · B` with `A [..., ldim, mdim]`, `B [..., mdim, rdim]`
/// and broadcast leading axes (TransformerLens's `FactoredMatrix`). A head's QK circuit `W_Q W_Kᵀ` and OV
/// circuit `W_V W_O` are `d_model × d_model` but rank `d_head`; products, norms, SVD and eigenvalues are
/// computed from the thin factors without forming `M`.
public struct FactoredMatrix: Sendable, CustomStringConvertible {
    /// Left factor `[..., ldim, mdim]` (broadcast to the common leading shape).
    public let A: Tensor
    /// Right factor `[..., mdim, rdim]` (broadcast to the common leading shape).
    public let B: Tensor
    /// Shape of the product: leading axes, `ldim`, `rdim`.
    public let shape: [Int]

    /// `A · B`; traps naming both shapes when the inner extents differ or the leading axes do not broadcast.
    public init(_ A: Tensor, _ B: Tensor) {
        ensure(A.rank >= 2 && B.rank >= 2 && A.shape[A.rank - 1] == B.shape[B.rank - 2],
                     "FactoredMatrix: factors \(A.shape) and \(B.shape) do not match on the inner dimension")
        let leadingA = Array(A.shape.dropLast(2)), leadingB = Array(B.shape.dropLast(2))
        guard let leading = broadcastShapes(leadingA, leadingB) else {
            programmerError("FactoredMatrix: leading axes of \(A.shape) and \(B.shape) do not broadcast")
        }
        let (l, m, r) = (A.shape[A.rank - 2], A.shape[A.rank - 1], B.shape[B.rank - 1])
        self.A = A.expanded(to: leading + [l, m])
        self.B = B.expanded(to: leading + [m, r])
        shape = leading + [l, r]
    }

    /// Rows of the product.
    public var ldim: Int { A.shape[A.rank - 2] }
    /// The shared inner extent (the rank bound).
    public var mdim: Int { A.shape[A.rank - 1] }
    /// Columns of the product.
    public var rdim: Int { B.shape[B.rank - 1] }
    /// Number of axes of the product.
    public var ndim: Int { shape.count }
    /// The factors `(A, B)`.
    public var pair: (Tensor, Tensor) { (A, B) }

    /// The product `A · B` `[..., ldim, rdim]` (costly for wide matrices).
    public var AB: Tensor { A.matmul(B) }
    /// The reverse product `B · A` `[..., rdim, ldim]`; traps unless `ldim == rdim`.
    public var BA: Tensor {
        ensure(ldim == rdim, "FactoredMatrix.BA needs ldim == rdim, shape is \(shape)")
        return B.matmul(A)
    }
    /// The transpose `Bᵀ · Aᵀ`.
    public var T: FactoredMatrix { FactoredMatrix(B.transposed(-2, -1), A.transposed(-2, -1)) }

    /// `M · other` for a matrix `other [..., rdim, n]`, still factored: the cheaper of `A · (B · other)`
    /// (when `rdim > mdim`) and `(A B) · other`.
    public static func • (lhs: FactoredMatrix, rhs: Tensor) -> FactoredMatrix {
        ensure(rhs.rank >= 2 && rhs.shape[rhs.rank - 2] == lhs.rdim,
                     "FactoredMatrix •: shapes \(lhs.shape) and \(rhs.shape) do not align")
        return lhs.rdim > lhs.mdim ? FactoredMatrix(lhs.A, lhs.B.matmul(rhs)) : FactoredMatrix(lhs.AB, rhs)
    }

    /// `other · M` for a matrix `other [..., n, ldim]`, still factored: the cheaper of `(other · A) · B`
    /// (when `ldim > mdim`) and `other · (A B)`.
    public static func • (lhs: Tensor, rhs: FactoredMatrix) -> FactoredMatrix {
        ensure(lhs.rank >= 2 && lhs.shape[lhs.rank - 1] == rhs.ldim,
                     "FactoredMatrix •: shapes \(lhs.shape) and \(rhs.shape) do not align")
        return rhs.ldim > rhs.mdim ? FactoredMatrix(lhs.matmul(rhs.A), rhs.B) : FactoredMatrix(lhs, rhs.AB)
    }

    /// The product of two factored matrices, `(M₁ · A₂) · B₂`, still factored.
    public static func • (lhs: FactoredMatrix, rhs: FactoredMatrix) -> FactoredMatrix {
        (lhs • rhs.A) • rhs.B
    }

    /// `M · v` for a vector `v [rdim]` (or `[..., rdim]` batched like the leading axes): `A · (B · v)`.
    public func matmul(vector v: Tensor) -> Tensor {
        A.matmul(B.matmul(v.unsqueezed(-1))).squeezed([-1])
    }

    /// `v · M` for a vector `v [ldim]`: `(v · A) · B`.
    public func rmatmul(vector v: Tensor) -> Tensor {
        v.unsqueezed(-2).matmul(A).matmul(B).squeezed([-2])
    }

    /// `scalar · M`, scaling the left factor.
    public static func * (lhs: FactoredMatrix, rhs: Float) -> FactoredMatrix { FactoredMatrix(lhs.A * rhs, lhs.B) }
    /// `scalar · M`, scaling the left factor.
    public static func * (lhs: Float, rhs: FactoredMatrix) -> FactoredMatrix { rhs * lhs }

    /// A new axis of extent 1 at `axis` of the leading axes (negative counts from the end of the product's axes).
    public func unsqueezed(_ axis: Int) -> FactoredMatrix {
        let a = axis < 0 ? axis + ndim + 1 : axis
        return FactoredMatrix(A.unsqueezed(a), B.unsqueezed(a))
    }

    /// Indexing as TransformerLens does: integers for leading axes select (and drop) them, e.g. `OV[layer, head]`;
    /// one more integer picks a row of the product, two more a row and a column (kept as extent-1 axes).
    public subscript(_ indices: Int...) -> FactoredMatrix {
        let leading = ndim - 2
        ensure(indices.count <= ndim, "FactoredMatrix: \(indices.count) indices for shape \(shape)")
        let lead = indices.prefix(leading).map { TensorIndex.at($0) }
        func kept(_ i: Int) -> TensorIndex { .slice(start: i, end: i == -1 ? nil : i + 1, step: 1) }
        switch indices.count - leading {
        case 1:
            return FactoredMatrix(A.view(lead + [kept(indices[leading])]), B.view(lead))
        case 2:
            return FactoredMatrix(A.view(lead + [kept(indices[leading])]), B.view(lead + [.all, kept(indices[leading + 1])]))
        default:
            return FactoredMatrix(A.view(lead), B.view(lead))
        }
    }

    /// The top-left `k × k` corner of the product (of the first matrix of the leading axes).
    public func corner(_ k: Int = 3) -> Tensor {
        var a = A, b = B
        while a.rank > 2 { (a, b) = (a[0], b[0]) }
        let rows = Swift.min(k, ldim), columns = Swift.min(k, rdim)
        return a[0..<rows, .all].matmul(b[.all, 0..<columns])
    }

    /// `FactoredMatrix: Shape([…]), Hidden Dim(m)`, as TransformerLens prints it.
    public var description: String { "FactoredMatrix: Shape(\(shape)), Hidden Dim(\(mdim))" }
}

/// NumPy broadcasting of two shapes, nil when they are incompatible.
func broadcastShapes(_ a: [Int], _ b: [Int]) -> [Int]? {
    let n = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: n)
    for i in 0..<n {
        let x = i < n - a.count ? 1 : a[i - (n - a.count)]
        let y = i < n - b.count ? 1 : b[i - (n - b.count)]
        guard x == y || x == 1 || y == 1 else { return nil }
        out[i] = x == 1 ? y : x
    }
    return out
}
