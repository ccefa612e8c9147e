/// Scores every attention head for a kind of attention pattern (TransformerLens's `detect_head`).
extension HookedTransformer {
    /// Per-head similarity `[n_layers, n_heads]` between each head's attention pattern on `tokens`
    /// (`[pos]` or `[1, pos]`, used as given: no BOS is added) and `pattern`.
    ///
    /// `mul`: with column 0 zeroed (`excludeBOS`) and the diagonal zeroed (`excludeCurrentToken`) in a copy of
    /// the attention `A`, `Σ A·P / Σ A`. `abs`: `|A − P|` with the same exclusions, `1 − round(Σ|A − P| / pos, 3)`.
    /// Heads not listed in `heads` score −1. `cache` (of these tokens, batch axis removed or of size 1) saves
    /// the forward pass. Throws for fewer than 2 or at least `n_ctx` tokens, or a pattern of the wrong shape.
    public func detectHead(tokens: Tensor, pattern: DetectionPattern, heads: [(layer: Int, head: Int)]? = nil,
                           cache: ActivationCache? = nil, excludeBOS: Bool = false, excludeCurrentToken: Bool = false,
                           errorMeasure: HeadErrorMeasure = .mul) throws -> Tensor {
        guard tokens.rank == 1 || (tokens.rank == 2 && tokens.shape[0] == 1) else {
            throw LensError.invalidArgument("detectHead scores one sequence ([pos] or [1, pos]); got \(tokens.shape) "
                                            + "(use detectHead(sequences:) for several)")
        }
        let ids = tokens.intScalars, n = ids.count
        guard n > 1, n < config.nCtx else {
            throw LensError.invalidArgument("detectHead needs 2 to \(config.nCtx - 1) tokens, got \(n)")
        }
        let detection = try pattern.matrix(for: ids)
        let selected = try headSelection(heads)
        let patterns = try attentionPatterns(Tensor(ints: ids, shape: [1, n]), cache: cache)
        var scores = [Float](repeating: -1, count: config.nLayers * config.nHeads)
        for (layer, head) in selected {
            let attention = patterns[layer][head].contiguous()
            scores[layer * config.nHeads + head] = Self.similarity(attention, detection, excludeBOS: excludeBOS,
                                                                   excludeCurrentToken: excludeCurrentToken,
                                                                   errorMeasure: errorMeasure)
        }
        return Tensor(scores, shape: [config.nLayers, config.nHeads])
    }

    /// `detectHead` of a built-in pattern averaged over several sequences, each run on its own (as
    /// TransformerLens does for a list of prompts). Custom patterns are tied to one sequence and throw.
    public func detectHead(sequences: [[Int]], pattern: DetectionPattern, heads: [(layer: Int, head: Int)]? = nil,
                           excludeBOS: Bool = false, excludeCurrentToken: Bool = false,
                           errorMeasure: HeadErrorMeasure = .mul) throws -> Tensor {
        guard pattern.name != nil else {
            throw LensError.invalidArgument("a custom detection pattern fits one sequence; score sequences one at a time")
        }
        guard !sequences.isEmpty else { throw LensError.invalidArgument("detectHead needs at least one sequence") }
        var total = Tensor(zeros: [config.nLayers, config.nHeads])
        for ids in sequences {
            total = total + (try detectHead(tokens: Tensor(ints: ids, shape: [ids.count]), pattern: pattern, heads: heads,
                                            excludeBOS: excludeBOS, excludeCurrentToken: excludeCurrentToken,
                                            errorMeasure: errorMeasure))
        }
        return total / Float(sequences.count)
    }

    /// The `(layer, head)` pairs to score, all by default; throws for a pair outside the model.
    private func headSelection(_ heads: [(layer: Int, head: Int)]?) throws -> [(Int, Int)] {
        guard let heads else {
            return (0..<config.nLayers).flatMap { l in (0..<config.nHeads).map { (l, $0) } }
        }
        for (l, h) in heads where !(0..<config.nLayers).contains(l) || !(0..<config.nHeads).contains(h) {
            throw LensError.invalidArgument("head (\(l), \(h)) is outside a model of \(config.nLayers) layers × \(config.nHeads) heads")
        }
        return heads.map { ($0.layer, $0.head) }
    }

    /// Each layer's attention pattern `[n_heads, pos, pos]` for one sequence, from `cache` when given.
    private func attentionPatterns(_ tokens: Tensor, cache: ActivationCache?) throws -> [Tensor] {
        let source: ActivationCache
        if let cache { source = cache } else { source = try runWithCache(tokens, names: .filter { $0.hasSuffix("attn.hook_pattern") }).1 }
        let n = tokens.shape[1]
        return try (0..<config.nLayers).map { layer in
            var pattern = try source["pattern", layer]
            if pattern.rank == 4, pattern.shape[0] == 1 { pattern = pattern[0] }
            guard pattern.shape == [config.nHeads, n, n] else {
                throw LensError.invalidArgument("the cache's layer \(layer) pattern \(pattern.shape) is not for one sequence of \(n) tokens")
            }
            return pattern
        }
    }

    /// One head's score: attention `[pos, pos]` against detection `[pos, pos]` (both contiguous).
    static func similarity(_ attention: Tensor, _ detection: Tensor, excludeBOS: Bool, excludeCurrentToken: Bool,
                           errorMeasure: HeadErrorMeasure) -> Float {
        let n = attention.shape[0], a = attention.scalars, d = detection.scalars
        func kept(_ i: Int, _ j: Int) -> Bool { !(excludeBOS && j == 0) && !(excludeCurrentToken && i == j) }
        switch errorMeasure {
        case .mul:
            // Σ A'·P / Σ A', A' = A with the excluded entries zeroed
            var product: Double = 0, mass: Double = 0
            for i in 0..<n {
                for j in 0..<n where kept(i, j) {
                    product += Double(a[i * n + j]) * Double(d[i * n + j])
                    mass += Double(a[i * n + j])
                }
            }
            return Float(product / mass)
        case .abs:
            // 1 − round(mean(|A − P|) · n, 3) with the excluded entries zeroed
            var total: Double = 0
            for i in 0..<n {
                for j in 0..<n where kept(i, j) { total += Double(Swift.abs(a[i * n + j] - d[i * n + j])) }
            }
            return Float(1 - (Double(Float(total / Double(n * n))) * Double(n) * 1000).rounded(.toNearestOrEven) / 1000)
        }
    }
}
