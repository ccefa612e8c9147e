/// Options for `HookedTransformer.generate`.
public struct GenerationOptions: Sendable, Equatable {
    /// Tokens to add to each prompt at most.
    public var maxNewTokens: Int
    /// How each token is chosen.
    public var sampling: SamplingOptions
    /// Seed of the sampling generator (sampling with the same seed repeats exactly).
    public var seed: UInt64
    /// Stop a sequence at an end-of-sequence token (and the whole batch once all have stopped).
    public var stopAtEOS: Bool
    /// End-of-sequence ids; nil means the model config's `eosTokenIDs`.
    public var eosTokenIDs: [Int]?
    /// Reuse earlier keys and values (feeds one new token per step) instead of rerunning the whole sequence.
    public var useKVCache: Bool

    /// Generation options; the defaults sample at temperature 1 with a KV cache and stop at EOS.
    public init(maxNewTokens: Int = 10, sampling: SamplingOptions = SamplingOptions(), seed: UInt64 = 0,
                stopAtEOS: Bool = true, eosTokenIDs: [Int]? = nil, useKVCache: Bool = true) {
        self.maxNewTokens = maxNewTokens
        self.sampling = sampling
        self.seed = seed
        self.stopAtEOS = stopAtEOS
        self.eosTokenIDs = eosTokenIDs
        self.useKVCache = useKVCache
    }
}

extension HookedTransformer {
    /// Continues each prompt by up to `maxNewTokens` tokens and returns prompt plus continuation per row
    /// (a row ends at its first end-of-sequence token when `stopAtEOS`).
    ///
    /// Prompts of unequal length are left-padded and masked, so each continues exactly as it would alone.
    /// With `useKVCache` each step feeds only the new tokens; without it each step reruns the whole sequence;
    /// both give the same tokens. Prompt plus `maxNewTokens` must fit in `n_ctx` (`ForwardError.contextTooLong`)
    /// and the key/value cache in memory (`TensorError.insufficientMemory`), checked before the first step.
    ///
    /// `stepHooks`, when given, supplies the hooks of each step from the column of the left-padded batch that
    /// the step computes first (0 without a cache; the number of columns already cached with one).
    public func generate(_ prompts: [[Int]], options: GenerationOptions = GenerationOptions(),
                         stepHooks: ((_ firstColumn: Int) -> any ActivationHooks)? = nil) throws -> [[Int]] {
        try options.sampling.validate()
        guard !prompts.isEmpty, prompts.allSatisfy({ !$0.isEmpty }), options.maxNewTokens >= 0 else {
            throw ForwardError.invalidInput("generate needs non-empty prompts and maxNewTokens ≥ 0")
        }
        let batch = prompts.count, width = prompts.map(\.count).max()!
        guard let total = CheckedSize.sum([width, options.maxNewTokens]), total <= config.nCtx else {
            throw ForwardError.contextTooLong(positions: width &+ options.maxNewTokens, nCtx: config.nCtx)
        }
        if options.useKVCache {
            let c = config
            try MemoryBudget.checkCurrent(needed: CheckedSize.product([2, blocks.count, batch, total, c.keyValueHeads, c.dHead, 4]),
                                          what: "a key/value cache for \(batch) × \(total) positions")
        }
        let eos = Set(options.eosTokenIDs ?? config.eosTokenIDs)
        let pad = config.padTokenID ?? eos.min() ?? 0
        var rows = prompts.map { Array(repeating: pad, count: width - $0.count) + $0 }
        var masks: [[UInt8]]? = prompts.contains { $0.count != width }
            ? prompts.map { Array(repeating: 0, count: width - $0.count) + Array(repeating: 1, count: $0.count) } : nil
        var generated = Array(repeating: [Int](), count: batch)
        var finished = Array(repeating: false, count: batch)
        var generator = SeededGenerator(seed: options.seed)
        let cache = options.useKVCache ? KVCache(layers: blocks.count, batch: batch) : nil
        var feed = rows.flatMap { $0 }, feedMask = masks?.flatMap { $0 }, feedLength = width
        var firstColumn = 0
        for _ in 0..<options.maxNewTokens {
            let logits = try run(tokens: feed, batch: batch, length: feedLength, mask: feedMask, cache: cache,
                                 stopAtLayer: nil, hooks: stepHooks?(firstColumn), lastPositionOnly: stepHooks == nil)
            let last = logits[.all, logits.shape[1] - 1].contiguous().scalars, vocab = logits.shape[2]
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
                firstColumn += feedLength
                (feed, feedMask, feedLength) = (next, masks == nil ? nil : Array(repeating: 1, count: batch), 1)
            } else {
                (feed, feedMask, feedLength) = (rows.flatMap { $0 }, masks?.flatMap { $0 }, rows[0].count)
            }
        }
        return (0..<batch).map { prompts[$0] + generated[$0] }
    }
}
