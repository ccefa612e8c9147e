/// Generation with steering vectors added at every step.
extension HookedTransformer {
    /// Continues each prompt by up to `options.maxNewTokens` tokens with `steering` active (sampling, end of
    /// sequence, left padding of unequal prompts and the key/value cache as `generate(_:options:)`). With a
    /// cache each step sees only its new positions, and a steering position `p` (a column of the left-padded
    /// batch) is steered in the step that computes it, so cached and uncached generation agree.
    public func generate(_ prompts: [[Int]], steering: [SteeringVector],
                         options: GenerationOptions = GenerationOptions()) throws -> [[Int]] {
        try options.sampling.validate()
        guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }), options.maxNewTokens >= 0 else {
            throw LensError.invalidArgument("generate needs non-empty prompts and maxNewTokens ≥ 0")
        }
        for vector in steering { try hookRegistry.validate(vector.hook) }
        let batch = prompts.count, width = prompts.map(\.count).max()!
        let eos = Set(options.eosTokenIDs ?? config.eosTokenIDs)
        let pad = config.padTokenID ?? eos.min() ?? 0
        var rows = prompts.map { Array(repeating: pad, count: width - $0.count) + $0 }
        var masks: [[Int]]? = prompts.contains { $0.count != width }
            ? prompts.map { Array(repeating: 0, count: width - $0.count) + Array(repeating: 1, count: $0.count) } : nil
        var generated = Array(repeating: [Int](), count: batch), finished = Array(repeating: false, count: batch)
        var generator = SeededGenerator(seed: options.seed)
        let cache = options.useKVCache ? KVCache(layers: blocks.count, batch: batch) : nil
        var offset = 0
        var feed = rows, feedMask = masks
        for _ in 0..<options.maxNewTokens {
            let hooks = SteeringHooks(vectors: steering, offset: offset)
            let length = feed[0].count
            let logits = try forward(tokens: Tensor(ints: feed.flatMap { $0 }, shape: [batch, length]),
                                     attentionMask: feedMask.map { Tensor(ints: $0.flatMap { $0 }, shape: [batch, length]) },
                                     cache: cache, hooks: hooks)
            let last = logits[.all, length - 1].contiguous().scalars, vocab = logits.shape[2]
            var next = [Int]()
            for b in 0..<batch {
                let token = finished[b] ? pad : options.sampling.sample(Array(last[(b * vocab)..<((b + 1) * vocab)]),
                                                                       using: &generator)
                next.append(token)
                if !finished[b] {
                    generated[b].append(token)
                    finished[b] = options.stopAtEOS && eos.contains(token)
                }
            }
            if finished.allSatisfy({ $0 }) { break }
            for b in 0..<batch {
                rows[b].append(next[b])
                masks?[b].append(1)
            }
            if cache != nil {
                offset += length
                feed = next.map { [$0] }
                feedMask = masks == nil ? nil : Array(repeating: [1], count: batch)
            } else {
                (feed, feedMask) = (rows, masks)
            }
        }
        return (0..<batch).map { prompts[$0] + generated[$0] }
    }
}

/// The steering vectors of one generation step, whose first computed position is column `offset`.
private final class SteeringHooks: ActivationHooks {
    private let table: [String: [SteeringVector]]
    private let offset: Int

    init(vectors: [SteeringVector], offset: Int) {
        var table: [String: [SteeringVector]] = [:]
        for vector in vectors { table[vector.hook, default: []].append(vector) }
        self.table = table
        self.offset = offset
    }

    func isActive(_ name: String) -> Bool { table[name] != nil }

    func visit(_ name: String, _ value: Tensor) throws -> Tensor {
        try table[name, default: []].reduce(value) { try $1.apply($0, offset: offset) }
    }
}
