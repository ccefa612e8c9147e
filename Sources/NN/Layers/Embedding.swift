/// Token embedding: `embed(tokens)[b, p] = W_E[tokens[b, p]]`.
public struct Embed: Sendable {
    /// Embedding matrix `[d_vocab, d_model]`, in the dtype and layout it was given in.
    public let W_E: Tensor

    /// An embedding with matrix `W_E [d_vocab, d_model]` (kept as given: a BF16 checkpoint's matrix stays BF16).
    public init(W_E: Tensor) {
        self.W_E = W_E
    }

    /// Rows of `W_E` for `tokens` (row-major `[batch, pos]`), widened to Float32: `[batch, pos, d_model]`.
    /// Throws `ForwardError.tokenOutOfRange` for an id outside the vocabulary.
    public func forward(tokens: [Int], batch: Int, positions: Int) throws -> Tensor {
        let vocab = W_E.shape[0], d = W_E.shape[1]
        if let bad = tokens.first(where: { $0 < 0 || $0 >= vocab }) {
            throw ForwardError.tokenOutOfRange(token: bad, vocabulary: vocab)
        }
        return try W_E.indexSelect(tokens, axis: 0).converted(to: .float32).reshaped(to: [batch, positions, d])
    }
}

/// Learned absolute positions: `pos_embed[b, p] = W_pos[position[b, p]]`, zero at padding.
public struct PosEmbed: Sendable {
    /// Position matrix `[n_ctx, d_model]`, in the dtype and layout it was given in.
    public let W_pos: Tensor

    /// A positional embedding with matrix `W_pos [n_ctx, d_model]` (kept as given).
    public init(W_pos: Tensor) {
        self.W_pos = W_pos
    }

    /// Rows of `W_pos` for `positions` (row-major `[batch, pos]`), zeroed where `padding` is true:
    /// `[batch, pos, d_model]`. Throws `ForwardError.contextTooLong` past `n_ctx`.
    public func forward(positions: [Int], padding: [Bool]?, batch: Int, length: Int) throws -> Tensor {
        let nCtx = W_pos.shape[0], d = W_pos.shape[1]
        if let far = positions.max(), far >= nCtx { throw ForwardError.contextTooLong(positions: far + 1, nCtx: nCtx) }
        let out = try W_pos.indexSelect(positions, axis: 0).converted(to: .float32).reshaped(to: [batch, length, d])
        if let padding {
            let o = out.elementPointer
            for (row, isPad) in padding.enumerated() where isPad { (o + row * d).update(repeating: 0, count: d) }
        }
        return out
    }
}

/// Unembedding: `logits = x · W_U + b_U`, with hook points `unembed.hook_in` and `unembed.hook_out`.
public struct Unembed: Sendable {
    /// Output matrix `[d_model, d_vocab_out]`, in the dtype and layout it was given in (a tied model's `W_U` is
    /// the transposed view of `W_E`: one array).
    public let W_U: Tensor
    /// Output bias `[d_vocab_out]`.
    public let b_U: Tensor

    /// An unembedding with `W_U [d_model, d_vocab_out]` and `b_U [d_vocab_out]`.
    public init(W_U: Tensor, b_U: Tensor) {
        self.W_U = W_U
        self.b_U = b_U.contiguousFloat32()
    }

    /// Logits `[..., d_vocab_out]` of residual vectors `x [..., d_model]`: `x W_U + b_U` (TransformerLens's
    /// `model.unembed(x)`); throws when the last axis is not `d_model`.
    public func callAsFunction(_ x: Tensor) throws -> Tensor {
        guard x.rank >= 1, x.shape.last == W_U.shape[0] else {
            throw ForwardError.invalidInput("unembed takes [..., d_model = \(W_U.shape[0])], got \(x.shape)")
        }
        return linear(x, W_U, bias: b_U)
    }

    /// `x [batch, pos, d_model]` to logits `[batch, pos, d_vocab_out]`.
    public func forward(_ x: Tensor, hooks: (any ActivationHooks)?) throws -> Tensor {
        let run = HookRunner(hooks: hooks)
        let input = try run("unembed.hook_in", x)
        return try run("unembed.hook_out", linear(input, W_U, bias: b_U))
    }
}
