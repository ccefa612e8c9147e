/// Which end of a batch row receives padding.
public enum PaddingSide: Sendable {
    /// Pad after the tokens (TransformerLens' default).
    case right
    /// Pad before the tokens.
    case left
}

/// Which occurrence `getTokenPosition` reports.
public enum TokenPositionMode: Sendable {
    /// The earliest occurrence.
    case first
    /// The latest occurrence.
    case last
}

/// A padded batch of token ids, as TransformerLens' `to_tokens` returns it, with the attention mask
/// TransformerLens' `utils.get_attention_mask` computes for it.
public struct TokenBatch: Sendable, Equatable {
    /// Token ids, `[batch][pos]`, every row padded to the same length.
    public let ids: [[Int]]
    /// 1 for attended positions, 0 for padding, `[batch][pos]`.
    public let attentionMask: [[Int]]

    /// The ids as an int64 tensor of shape `[batch, pos]`.
    public var tokens: Tensor {
        Tensor(ints: ids.flatMap { $0 }, shape: [ids.count, ids.first?.count ?? 0])
    }

    /// The attention mask as an int64 tensor of shape `[batch, pos]`.
    public var mask: Tensor {
        Tensor(ints: attentionMask.flatMap { $0 }, shape: [ids.count, ids.first?.count ?? 0])
    }
}

/// TransformerLens' tokenization helpers (`HookedTransformer.to_tokens`, `to_str_tokens`,
/// `to_single_token`, `to_string`, `get_token_position`).
extension Tokenizer {
    /// Token ids of one text as `to_tokens` gives them. With `prependBOS` the sequence starts with the
    /// BOS id (the template's, or `bosTokenId` put in front when the template has none); without it a
    /// template BOS is removed. `maxLength` truncates as `to_tokens(truncate=True)` does for `n_ctx`.
    public func toTokens(_ text: String, prependBOS: Bool = true, maxLength: Int? = nil) -> [Int] {
        let budget = maxLength ?? Int.max
        if prependBOS, !prependsBOS, let bos = bosTokenId {
            return [bos] + truncatedIds(text, budget: budget == Int.max ? budget : budget - 1)
        }
        var ids = truncatedIds(text, budget: budget)
        if !prependBOS, prependsBOS, !ids.isEmpty { ids.removeFirst() }
        return ids
    }

    /// `encode` with special tokens, keeping at most `budget` ids: the text is cut, the template kept.
    private func truncatedIds(_ text: String, budget: Int) -> [Int] {
        var ids = contentIds(text)
        let keep = max(0, budget - specialCount)
        if ids.count > keep { ids.removeLast(ids.count - keep) }
        return (postProcessor?.process(ids, addSpecialTokens: true) ?? ids).map(Int.init)
    }

    /// A padded batch as `to_tokens(list)` gives it. Padding uses `padTokenId`, else `eosTokenId`
    /// (TransformerLens sets `pad_token = eos_token` when there is none), else 0. The mask follows
    /// `get_attention_mask`: leading (left padding) or trailing (right padding) pad ids are masked, and
    /// with left padding and `prependBOS` a BOS equal to the pad id is unmasked.
    public func toTokens(_ texts: [String], prependBOS: Bool = true, paddingSide: PaddingSide = .right,
                         maxLength: Int? = nil) -> TokenBatch {
        let rows = texts.map { toTokens($0, prependBOS: prependBOS, maxLength: maxLength) }
        let width = rows.map(\.count).max() ?? 0
        let pad = padTokenId ?? eosTokenId ?? 0
        let ids = rows.map { row -> [Int] in
            let fill = [Int](repeating: pad, count: width - row.count)
            return paddingSide == .right ? row + fill : fill + row
        }
        let unmaskBOS = prependBOS && paddingSide == .left && bosTokenId == pad
        return TokenBatch(ids: ids, attentionMask: ids.map { Self.attentionMask($0, pad: pad, side: paddingSide, unmaskBOS: unmaskBOS) })
    }

    private static func attentionMask(_ row: [Int], pad: Int, side: PaddingSide, unmaskBOS: Bool) -> [Int] {
        var mask = [Int](repeating: 1, count: row.count)
        switch side {
        case .right:
            var i = row.count - 1
            while i >= 0, row[i] == pad { mask[i] = 0; i -= 1 }
        case .left:
            var leading = 0
            while leading < row.count, row[leading] == pad { mask[leading] = 0; leading += 1 }
            if unmaskBOS, leading > 0 { mask[leading - 1] = 1 }
        }
        return mask
    }

    /// Each id decoded on its own, as `to_str_tokens` shows tokens.
    public func toStrTokens(_ ids: [Int]) -> [String] {
        ids.map { decode([$0]) }
    }

    /// The string tokens of a text (`to_str_tokens(text)`).
    public func toStrTokens(_ text: String, prependBOS: Bool = true) -> [String] {
        toStrTokens(toTokens(text, prependBOS: prependBOS))
    }

    /// The id of a text that is exactly one token without BOS (`to_single_token`).
    public func toSingleToken(_ text: String) throws -> Int {
        let ids = toTokens(text, prependBOS: false)
        guard ids.count == 1 else { throw TokenizerError.notSingleToken(text: text, count: ids.count) }
        return ids[0]
    }

    /// The text of ids (`to_string`, which decodes without cleaning up spaces).
    public func toString(_ ids: [Int]) -> String { decode(ids) }

    /// The texts of several id rows (`to_string` of a 2-D input).
    public func toString(_ batch: [[Int]]) -> [String] { decodeBatch(batch) }

    /// Position of `token` in `ids` (`get_token_position`): the first or last occurrence.
    public func getTokenPosition(_ token: Int, in ids: [Int], mode: TokenPositionMode = .first) throws -> Int {
        let position = mode == .first ? ids.firstIndex(of: token) : ids.lastIndex(of: token)
        guard let position else { throw TokenizerError.tokenNotFound(id: token) }
        return position
    }

    /// Position of a single-token string in `ids`.
    public func getTokenPosition(_ token: String, in ids: [Int], mode: TokenPositionMode = .first) throws -> Int {
        try getTokenPosition(try toSingleToken(token), in: ids, mode: mode)
    }

    /// Position of `token` in the tokens of `text` (tokenized with `prependBOS`).
    public func getTokenPosition(_ token: Int, in text: String, mode: TokenPositionMode = .first,
                                 prependBOS: Bool = true) throws -> Int {
        try getTokenPosition(token, in: toTokens(text, prependBOS: prependBOS), mode: mode)
    }

    /// Position of a single-token string in the tokens of `text`.
    public func getTokenPosition(_ token: String, in text: String, mode: TokenPositionMode = .first,
                                 prependBOS: Bool = true) throws -> Int {
        try getTokenPosition(try toSingleToken(token), in: toTokens(text, prependBOS: prependBOS), mode: mode)
    }
}
