/// One operand during evaluation: a strided Float32 view whose axes carry distinct labels.
struct EinsumTerm {
    /// The operand's elements (a view where possible).
    var tensor: Tensor
    /// Label id of each axis of `tensor`; no label repeats.
    var labels: [Int]
}

/// An einsum spec bound to concrete operands: every label has one size, ellipses are expanded
/// into labels of their own, repeated labels became diagonal views, and size-1 axes that
/// broadcast against a larger size were dropped.
struct EinsumBinding {
    /// The operands, ready to contract.
    var terms: [EinsumTerm]
    /// Output labels in order.
    let output: [Int]
    /// Size of every label id.
    let sizes: [Int]

    /// Checks operand count, ranks and sizes against `spec`, throwing `invalidSpec` naming
    /// the operand and axis at fault.
    init(spec: EinsumSpec, operands: [Tensor]) throws {
        let text = spec.text
        guard !operands.isEmpty else { throw EinsumSpec.error(text, "no operands given") }
        guard operands.count == spec.inputs.count else {
            throw EinsumSpec.error(text, "spec has \(spec.inputs.count) operand terms but \(operands.count) "
                                   + "tensors were given")
        }
        // Ellipsis axes of each operand, right-aligned like NumPy broadcasting.
        var ellipsisRanks: [Int] = []
        for (i, (term, x)) in zip(spec.inputs, operands).enumerated() {
            let named = term.filter { $0 != .ellipsis }.count
            let hasEllipsis = term.contains(.ellipsis)
            guard hasEllipsis ? x.rank >= named : x.rank == named else {
                throw EinsumSpec.error(text, "operand \(i) has shape \(x.shape) (rank \(x.rank)) but its term "
                                       + "names \(named) axes\(hasEllipsis ? " plus '...'" : "")")
            }
            ellipsisRanks.append(x.rank - named)
        }
        let ellipsisRank = ellipsisRanks.max() ?? 0
        let names = spec.names + (0..<ellipsisRank).map { "...[\($0)]" }
        var sizes = [Int](repeating: 1, count: names.count)
        var owner = [Int?](repeating: nil, count: names.count)
        // Raw labels per operand axis (ellipsis expanded), and label sizes with size-1 broadcasting.
        var raw: [[Int]] = []
        for (i, (term, x)) in zip(spec.inputs, operands).enumerated() {
            var labels: [Int] = []
            for label in term {
                if case let .axis(id) = label {
                    labels.append(id)
                } else {
                    let first = spec.names.count + ellipsisRank - ellipsisRanks[i]
                    labels += Array(first..<(spec.names.count + ellipsisRank))
                }
            }
            for (axis, id) in labels.enumerated() where x.shape[axis] != 1 {
                if let j = owner[id], sizes[id] != x.shape[axis] {
                    if j == i {
                        throw EinsumBinding.diagonalError(text, operand: i, names[id], sizes[id], x.shape[axis])
                    }
                    throw EinsumSpec.error(text, "axis '\(names[id])' has size \(sizes[id]) in operand \(j) but "
                                           + "\(x.shape[axis]) in operand \(i)")
                }
                sizes[id] = x.shape[axis]
                owner[id] = i
            }
            raw.append(labels)
        }
        let ellipsisOutput = Array(spec.names.count..<(spec.names.count + ellipsisRank))
        if ellipsisRank > 0 && !spec.output.contains(.ellipsis) {
            throw EinsumSpec.error(text, "operands have \(ellipsisRank) broadcast axes under '...' but the "
                                   + "output has no '...'")
        }
        output = spec.output.flatMap { label -> [Int] in
            if case let .axis(id) = label { return [id] }
            return ellipsisOutput
        }
        self.sizes = sizes
        terms = try zip(operands, raw).enumerated().map { i, pair in
            try EinsumBinding.term(pair.0.float32Storage(), labels: pair.1, sizes: sizes,
                                   operand: i, names: names, spec: text)
        }
    }

    /// The operand as a view with distinct labels: repeated labels become a diagonal
    /// (strides added), size-1 axes broadcast against a larger size are dropped.
    private static func term(
        _ x: Tensor, labels: [Int], sizes: [Int], operand: Int, names: [String], spec: String
    ) throws -> EinsumTerm {
        var distinct: [Int] = [], shape: [Int] = [], strides: [Int] = []
        for (axis, id) in labels.enumerated() {
            if let j = distinct.firstIndex(of: id) {
                guard shape[j] == x.shape[axis] else {
                    throw diagonalError(spec, operand: operand, names[id], shape[j], x.shape[axis])
                }
                strides[j] += x.strides[axis]
            } else {
                distinct.append(id)
                shape.append(x.shape[axis])
                strides.append(x.strides[axis])
            }
        }
        let keep = distinct.indices.filter { shape[$0] == sizes[distinct[$0]] }
        let outLabels = keep.map { distinct[$0] }
        shape = keep.map { shape[$0] }
        strides = keep.map { strides[$0] }
        let view = Tensor(storage: x.storage, shape: shape, strides: strides, offset: x.offset)
        return EinsumTerm(tensor: view, labels: outLabels)
    }

    /// The error for a label repeated within one operand on axes of different sizes.
    private static func diagonalError(_ spec: String, operand: Int, _ name: String, _ a: Int, _ b: Int) -> TensorError {
        EinsumSpec.error(spec, "operand \(operand) repeats axis '\(name)' with sizes \(a) and \(b) "
                         + "(a diagonal needs equal sizes)")
    }
}
