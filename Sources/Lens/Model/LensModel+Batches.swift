/// Tokenizing and decoding batches, as TransformerLens's `to_tokens(list)`, `to_string(tokens)` and
/// `to_str_tokens(tokens)` do.
extension LensModel {
    /// A padded batch of texts (`to_tokens(list, padding_side=...)`): `tokens` `[batch, pos]` and its
    /// `mask` (1 for real tokens, 0 for padding), padded with the tokenizer's pad id (else its EOS id).
    public func toTokens(_ texts: [String], prependBOS: Bool = true, paddingSide: PaddingSide = .right) throws -> TokenBatch {
        guard !texts.isEmpty else { throw LensError.invalidArgument("toTokens needs at least one text") }
        return try requireTokenizer("toTokens").toTokens(texts, prependBOS: prependBOS, paddingSide: paddingSide,
                                                           maxLength: transformer.config.nCtx)
    }

    /// The texts of id rows (`to_string` of a 2-D input).
    public func toString(_ batch: [[Int]]) throws -> [String] {
        try requireTokenizer("toString").toString(batch)
    }

    /// The text of each row of a `[batch, pos]` (or the one row of a `[pos]`) id tensor.
    public func toString(_ tokens: Tensor) throws -> [String] {
        try toString(try Self.rows(tokens, "toString"))
    }

    /// Each id of each row as a string.
    public func toStrTokens(_ batch: [[Int]]) throws -> [[String]] {
        let tokenizer = try requireTokenizer("toStrTokens")
        return batch.map(tokenizer.toStrTokens)
    }

    /// The string tokens of each row of a `[batch, pos]` (or `[pos]`) id tensor (`to_str_tokens(tokens)`).
    public func toStrTokens(_ tokens: Tensor) throws -> [[String]] {
        try toStrTokens(try Self.rows(tokens, "toStrTokens"))
    }

    /// The string tokens of each text (`to_str_tokens(list)`), unpadded.
    public func toStrTokens(_ texts: [String], prependBOS: Bool = true) throws -> [[String]] {
        let tokenizer = try requireTokenizer("toStrTokens")
        return texts.map { tokenizer.toStrTokens($0, prependBOS: prependBOS) }
    }

    /// The id rows of an integer tensor of rank 1 or 2.
    private static func rows(_ tokens: Tensor, _ operation: String) throws -> [[Int]] {
        guard tokens.dtype.isInteger, tokens.rank == 1 || tokens.rank == 2 else {
            throw LensError.invalidArgument("\(operation) takes integer ids [pos] or [batch, pos], got \(tokens.dtype) \(tokens.shape)")
        }
        let ids = tokens.intScalars, width = tokens.shape.last!
        let count = tokens.rank == 1 ? 1 : tokens.shape[0]
        return (0..<count).map { Array(ids[($0 * width)..<(($0 + 1) * width)]) }
    }
}
