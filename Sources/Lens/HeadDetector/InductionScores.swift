/// Repeated random tokens and the induction stripe: the standard test for induction heads.
extension HookedTransformer {
    /// `[batch, 1 + repeats·length]` tokens: a BOS id (the config's, else 0) followed by `repeats` copies of
    /// `length` tokens drawn uniformly from `1..<d_vocab` with `SeededGenerator(seed)`, one draw per row.
    public func repeatedRandomTokens(length: Int, batch: Int = 1, repeats: Int = 2, seed: UInt64 = 0,
                                     bos: Int? = nil) throws -> Tensor {
        guard length > 0, batch > 0, repeats > 0, config.dVocab > 1 else {
            throw LensError.invalidArgument("repeatedRandomTokens needs length, batch and repeats ≥ 1")
        }
        guard let positions = CheckedSize.sum([1, CheckedSize.product([repeats, length])]), positions <= config.nCtx else {
            throw LensError.invalidArgument("repeatedRandomTokens: 1 + \(repeats) × \(length) positions exceed n_ctx \(config.nCtx)")
        }
        try MemoryBudget.checkCurrent(needed: activationBytes(batch: batch, length: positions, past: 0),
                                      what: "\(batch) sequences of \(positions) repeated random tokens")
        var generator = SeededGenerator(seed: seed)
        var ids: [Int] = []
        for _ in 0..<batch {
            let row = (0..<length).map { _ in Int.random(in: 1..<config.dVocab, using: &generator) }
            ids += [bos ?? config.bosTokenID ?? 0] + Array([[Int]](repeating: row, count: repeats).joined())
        }
        return Tensor(ints: ids, shape: [batch, 1 + repeats * length])
    }

    /// Induction score of every head `[n_layers, n_heads]` on `tokens` made by `repeatedRandomTokens` (two
    /// copies of `length` tokens after a BOS): the mean over rows and over the second copy's positions
    /// `i = length+1 … 2·length` of `pattern[i, i − length + 1]`, the attention from a token to the token
    /// after its earlier occurrence. `cache` (of these tokens, with every layer's pattern) saves the forward pass.
    public func inductionScores(repeatedTokens tokens: Tensor, length: Int, cache: ActivationCache? = nil) throws -> Tensor {
        guard tokens.rank == 2, tokens.shape[1] == 1 + 2 * length, length > 1 else {
            throw LensError.invalidArgument("inductionScores needs [batch, 1 + 2·\(length)] repeated tokens, got \(tokens.shape)")
        }
        let cache = try cache ?? runWithCache(tokens, names: .filter { $0.hasSuffix("attn.hook_pattern") }).1
        var scores: [Float] = []
        for layer in 0..<config.nLayers {
            let pattern = try cache["pattern", layer]
            // stripe[b, h, k] = pattern[b, h, length + 1 + k, 2 + k]
            var total = [Double](repeating: 0, count: config.nHeads)
            for b in 0..<tokens.shape[0] {
                for h in 0..<config.nHeads {
                    for k in 0..<length { total[h] += Double(pattern.value(at: [b, h, length + 1 + k, 2 + k])) }
                }
            }
            scores += total.map { Float($0 / Double(tokens.shape[0] * length)) }
        }
        return Tensor(scores, shape: [config.nLayers, config.nHeads])
    }
}
