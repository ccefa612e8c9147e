/// Tokens given to an attribution: one id, a tensor of ids, or a string that is exactly one token.
public enum TokenInput: Sendable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    /// One token id.
    case id(Int)
    /// Token ids of any shape (`[batch]`, `[batch, pos]`, …).
    case ids(Tensor)
    /// A string that tokenizes (without BOS) to exactly one token.
    case text(String)

    /// An integer literal is one id.
    public init(integerLiteral value: Int) { self = .id(value) }
    /// A string literal is one single-token string.
    public init(stringLiteral value: String) { self = .text(value) }
    /// An array literal is a `[n]` tensor of ids.
    public init(arrayLiteral elements: Int...) { self = .ids(Tensor(ints: elements, shape: [elements.count])) }

    /// The ids as a tensor (`[]` for a single token); strings need `tokenizer`.
    func resolved(_ tokenizer: Tokenizer?) throws -> Tensor {
        switch self {
        case let .id(id): return Tensor(ints: [id], shape: [])
        case let .ids(ids): return ids
        case let .text(text):
            guard let tokenizer else { throw LensError.noTokenizer("the string token \"\(text)\"") }
            return Tensor(ints: [try tokenizer.toSingleToken(text)], shape: [])
        }
    }
}

extension HookedTransformer {
    /// The unembedding column of each token, the residual direction whose dot product is its logit
    /// (`tokens_to_residual_directions`): `[d_model]` for a single token (an int, or a one-element tensor),
    /// else `tokens.shape + [d_model]`. Throws for an id outside `d_vocab_out`.
    public func tokensToResidualDirections(_ tokens: Tensor) throws -> Tensor {
        let ids = tokens.intScalars
        let vocabulary = config.dVocabOut
        if let bad = ids.first(where: { $0 < 0 || $0 >= vocabulary }) {
            throw LensError.invalidArgument("token id \(bad) is outside the output vocabulary 0..<\(vocabulary)")
        }
        let columns = try W_U.indexSelect(ids, axis: 1).transposed(0, 1)
        return ids.count == 1 ? columns[0] : columns.reshaped(tokens.shape + [config.dModel])
    }

    /// The unembedding column `[d_model]` of one token.
    public func tokensToResidualDirections(_ token: Int) throws -> Tensor {
        try tokensToResidualDirections(Tensor(ints: [token], shape: []))
    }
}

extension ActivationCache {
    /// How much each component of `residualStack` pushes the logit of `tokens` (`logit_attrs`): each
    /// component is normalised with the cached final-norm scale (`applyLnToStack` at the unembedding, with
    /// `posSlice`, `batchSlice`, `hasBatchDim`) and dotted with the tokens' residual directions (minus those
    /// of `incorrectTokens` for a logit difference, which must have the same shape). Shape: the stack's
    /// leading axes broadcast against the tokens', without `d_model`.
    public func logitAttrs(_ residualStack: Tensor, tokens: TokenInput, incorrectTokens: TokenInput? = nil,
                           posSlice: AxisSlice = .all, batchSlice: AxisSlice = .all,
                           hasBatchDim: Bool = true) throws -> Tensor {
        let correct = try tokens.resolved(tokenizer)
        var directions = try model.tokensToResidualDirections(correct)
        if let incorrectTokens {
            let wrong = try incorrectTokens.resolved(tokenizer)
            guard wrong.shape == correct.shape else {
                throw LensError.invalidArgument("tokens and incorrectTokens must have the same shape (\(correct.shape) vs \(wrong.shape))")
            }
            directions = directions - (try model.tokensToResidualDirections(wrong))
        }
        let scaled = try applyLnToStack(residualStack, layer: -1, posSlice: posSlice, batchSlice: batchSlice,
                                        hasBatchDim: hasBatchDim)
        return (scaled * directions).sum(axis: -1)
    }
}
