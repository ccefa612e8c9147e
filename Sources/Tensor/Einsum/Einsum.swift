extension Tensor {
    /// Einstein summation over any number of operands, in NumPy letter form (`"bij,bjk->bik"`,
    /// repeated letters for diagonals, `...` for broadcast axes, implicit output when `->` is
    /// absent) or named form (`"batch pos d_model, d_model vocab -> batch pos vocab"`).
    ///
    /// `out[o] = Σ_{labels not in o} Π_i operand_i[labels_i]`. Size-1 axes broadcast against
    /// larger ones. Pairs are contracted greedily (smallest intermediate first), each as one
    /// batched `matmul`; the result may be a view of an operand (e.g. `"ij->ji"`, `"ii->i"`).
    /// Throws `TensorError.invalidSpec` naming the operand and axis for malformed specs, wrong
    /// operand counts or ranks, and mismatched axis sizes.
    public static func einsum(_ spec: String, _ operands: Tensor...) throws -> Tensor {
        try einsum(spec, operands)
    }

    /// `einsum` with the operands in an array.
    public static func einsum(_ spec: String, _ operands: [Tensor]) throws -> Tensor {
        let parsed = try EinsumSpec(parsing: spec)
        return try EinsumBinding(spec: parsed, operands: operands).evaluate()
    }
}
