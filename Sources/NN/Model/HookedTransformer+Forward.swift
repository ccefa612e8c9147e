extension HookedTransformer {
    /// Logits `[batch, pos, d_vocab_out]` for `tokens` (`[batch, pos]` or `[pos]`, integer ids), or the residual
    /// stream `[batch, pos, d_model]` before block `stopAtLayer` (negative counts from the end, as
    /// TransformerLens: `stopAtLayer: 0` runs only the embeddings).
    ///
    /// `attentionMask` (`[batch, pos]`, 1 for real tokens, 0 for padding, left or right) hides padding from
    /// every query and numbers each prompt's positions from its first real token, so each row's result equals
    /// its result alone. `hooks` see every TransformerLens hook point.
    ///
    /// With a `cache`, the tokens continue the sequences already in it (their keys and values are reused and
    /// the new ones appended; the mask covers only the new tokens), as TransformerLens's `past_kv_cache`.
    public func forward(tokens: Tensor, attentionMask: Tensor? = nil, stopAtLayer: Int? = nil,
                        cache: KVCache? = nil, hooks: (any ActivationHooks)? = nil) throws -> Tensor {
        let (ids, batch, length) = try Self.tokenRows(tokens)
        let mask = try attentionMask.map { try Self.maskRows($0, batch: batch, length: length) }
        if cache != nil, stopAtLayer != nil {
            throw ForwardError.invalidInput("stopAtLayer cannot be used with a key/value cache "
                                            + "(later layers would miss the new keys)")
        }
        if let cache, cache.batch != batch || cache.layers != blocks.count {
            throw ForwardError.invalidInput("a cache for \(cache.batch) sequences and \(cache.layers) layers "
                                            + "cannot continue \(batch) sequences through \(blocks.count) layers")
        }
        return try run(tokens: ids, batch: batch, length: length, mask: mask, cache: cache,
                       stopAtLayer: stopAtLayer, hooks: hooks)
    }

    /// `forward(tokens:)` for rows of token ids; rows of unequal length are an error (pad them and pass a mask).
    public func forward(tokens rows: [[Int]], attentionMask: [[Int]]? = nil, stopAtLayer: Int? = nil,
                        hooks: (any ActivationHooks)? = nil) throws -> Tensor {
        let length = rows.first?.count ?? 0
        guard !rows.isEmpty, length > 0, rows.allSatisfy({ $0.count == length }) else {
            throw ForwardError.invalidInput("token rows must be non-empty and of equal length")
        }
        let mask = try attentionMask.map { m -> Tensor in
            guard m.count == rows.count, m.allSatisfy({ $0.count == length }) else {
                throw ForwardError.invalidInput("attention mask rows must match the token rows")
            }
            return Tensor(ints: m.flatMap { $0 }, shape: [rows.count, length])
        }
        return try forward(tokens: Tensor(ints: rows.flatMap { $0 }, shape: [rows.count, length]),
                           attentionMask: mask, stopAtLayer: stopAtLayer, hooks: hooks)
    }

    /// Runs blocks `startAtLayer..<stopAtLayer` (negative indices count from the end) on a residual stream
    /// `[batch, pos, d_model]`, then, without `stopAtLayer`, the final norm and unembedding.
    ///
    /// With a `cache` the residual holds the positions after those in the cache: the run blocks reuse and
    /// append their keys and values (as `forward(tokens:cache:)` does); blocks outside the range are neither
    /// read nor extended, so afterwards the cache serves only those blocks.
    public func forward(residual: Tensor, startAtLayer: Int, stopAtLayer: Int? = nil, attentionMask: Tensor? = nil,
                        cache: KVCache? = nil, hooks: (any ActivationHooks)? = nil) throws -> Tensor {
        guard residual.rank == 3, residual.shape[2] == config.dModel else {
            throw ForwardError.invalidInput(
                "residual of shape \(residual.shape), expected [batch, pos, \(config.dModel)]")
        }
        let (batch, length) = (residual.shape[0], residual.shape[1])
        let mask = try attentionMask.map { try Self.maskRows($0, batch: batch, length: length) }
        let range = try layerRange(start: startAtLayer, stop: stopAtLayer)
        try checkCache(cache, batch: batch, range: range)
        let fullMask = cache.map { $0.extendedMask(new: mask, count: length) } ?? mask
        let layout = SequenceLayout(batch: batch, length: length, past: cache?.length ?? 0, keyMask: fullMask)
        let x = try runBlocks(residual.converted(to: .float32), range, context(layout, cache, HookRunner(hooks: hooks)))
        cache?.commit(count: length, mask: fullMask)
        return stopAtLayer == nil ? try finish(x, HookRunner(hooks: hooks)) : x
    }

    /// `forward(residual:startAtLayer:cache:hooks:)` read at the last position only: logits `[batch, 1,
    /// d_vocab_out]`. Blocks before the last run on every position; the last block computes keys and values for
    /// every position but its queries, MLP, the final norm and the unembedding only for the last one, which
    /// saves most of a block when a metric reads only the last position (patching sweeps). `hooks` must not
    /// be active in the last block or after it (their activations are not computed there): that throws.
    public func lastPositionLogits(residual: Tensor, startAtLayer: Int, cache: KVCache? = nil,
                                   hooks: (any ActivationHooks)? = nil) throws -> Tensor {
        let n = blocks.count
        guard residual.rank == 3, residual.shape[1] > 0, residual.shape[2] == config.dModel else {
            throw ForwardError.invalidInput("residual of shape \(residual.shape), expected [batch, pos, \(config.dModel)]")
        }
        let range = try layerRange(start: startAtLayer, stop: nil)
        guard let lastBlock = blocks.last, !range.isEmpty else {
            throw ForwardError.invalidInput("lastPositionLogits needs at least the last block, got start \(startAtLayer)")
        }
        if let hooks, let name = lastBlockHook(in: hooks) {
            throw ForwardError.invalidInput("lastPositionLogits computes only the last position from block \(n - 1) on, "
                                            + "so the hook at \(name) cannot run")
        }
        let (batch, length) = (residual.shape[0], residual.shape[1])
        try checkCache(cache, batch: batch, range: range)
        let fullMask = cache?.extendedMask(new: nil, count: length)
        let layout = SequenceLayout(batch: batch, length: length, past: cache?.length ?? 0, keyMask: fullMask)
        let x = try runBlocks(residual.converted(to: .float32), range.lowerBound..<(n - 1),
                              context(layout, cache, HookRunner(hooks: hooks)))
        let last = try lastBlock.forwardLastPosition(x, context: context(layout, cache, HookRunner(hooks: nil)))
        cache?.commit(count: length, mask: fullMask)
        return try finish(last, HookRunner(hooks: nil))
    }

    /// The first hook point of the last block, the final norm or the unembedding at which `hooks` is active:
    /// where `lastPositionLogits` cannot run (nil when it can).
    public func lastBlockHook(in hooks: any ActivationHooks) -> String? {
        hookPointNames.drop { !$0.hasPrefix("blocks.\(blocks.count - 1).") }.first(where: hooks.isActive)
    }

    /// The whole pass for flattened `[batch, length]` ids, appending to `cache` when generating; with
    /// `lastPositionOnly` only the last position is unembedded (logits `[batch, 1, d_vocab_out]`).
    func run(tokens: [Int], batch: Int, length: Int, mask: [UInt8]?, cache: KVCache?, stopAtLayer: Int?,
             hooks: (any ActivationHooks)?, lastPositionOnly: Bool = false) throws -> Tensor {
        let run = HookRunner(hooks: hooks)
        let past = cache?.length ?? 0
        try MemoryBudget.checkCurrent(needed: activationBytes(batch: batch, length: length, past: past),
                                      what: "a forward pass of \(batch) × \(length) tokens")
        let fullMask = cache.map { $0.extendedMask(new: mask, count: length) } ?? mask
        let layout = SequenceLayout(batch: batch, length: length, past: past, keyMask: fullMask)
        let range = try layerRange(start: nil, stop: stopAtLayer)
        var x = try run("hook_embed", embed.forward(tokens: tokens, batch: batch, positions: length))
        if let posEmbed {
            let positions = try posEmbed.forward(positions: layout.positions, padding: layout.padding,
                                                 batch: batch, length: length)
            x = x + (try run("hook_pos_embed", positions))
        }
        x = try runBlocks(x, range, context(layout, cache, run))
        cache?.commit(count: length, mask: fullMask)
        guard stopAtLayer == nil else { return x }
        return try finish(lastPositionOnly ? x[.all, (length - 1)...] : x, run)
    }

    /// `ModelConfig.activationBytes(batch:length:past:)` of this model's config.
    public func activationBytes(batch: Int, length: Int, past: Int) -> Int? {
        config.activationBytes(batch: batch, length: length, past: past)
    }

    private func context(_ layout: SequenceLayout, _ cache: KVCache?, _ hooks: HookRunner) -> ForwardContext {
        ForwardContext(hooks: hooks, layout: layout, rotaryAngles: rotaryAngles(layout), cache: cache, config: config)
    }

    /// The rotary `cos`/`sin` tables `[batch, length, 1, rotaryDim/2]` of the layout's positions (rotary models).
    func rotaryAngles(_ layout: SequenceLayout) -> (cos: Tensor, sin: Tensor)? {
        rotary.map { r -> (cos: Tensor, sin: Tensor) in
            let (c, s) = r.angles(positions: layout.positions)
            let shape = [layout.batch, layout.length, 1, r.rotaryDim / 2]
            return (Tensor(c, shape: shape), Tensor(s, shape: shape))
        }
    }

    private func runBlocks(_ input: Tensor, _ range: Range<Int>, _ context: ForwardContext) throws -> Tensor {
        var x = input
        for block in blocks[range] { x = try block.forward(x, context: context) }
        return x
    }

    /// Final norm, unembedding and output soft-cap `cap · tanh(logits / cap)`.
    private func finish(_ residual: Tensor, _ hooks: HookRunner) throws -> Tensor {
        let normed = try lnFinal?.forward(residual, hooks: hooks.hooks) ?? residual
        let logits = try unembed.forward(normed, hooks: hooks.hooks)
        guard let cap = config.outputLogitsSoftCap else { return logits }
        return (logits / cap).tanh() * cap
    }

    /// Throws unless `cache` (if any) can continue `batch` sequences through the blocks in `range`.
    private func checkCache(_ cache: KVCache?, batch: Int, range: Range<Int>) throws {
        guard let cache else { return }
        guard cache.batch == batch, cache.layers == blocks.count,
              cache.length == 0 || range.allSatisfy({ cache.keys(layer: $0) != nil }) else {
            throw ForwardError.invalidInput("a cache for \(cache.batch) sequences and \(cache.layers) layers cannot "
                                            + "continue \(batch) sequences through blocks \(range)")
        }
    }

    /// Blocks `start..<stop` with Python slice semantics for negative indices; an index past either end throws.
    func layerRange(start: Int?, stop: Int?) throws -> Range<Int> {
        let n = blocks.count
        func resolve(_ i: Int?, _ fallback: Int) throws -> Int {
            guard let i else { return fallback }
            guard i >= -n, i <= n else { throw ForwardError.invalidLayerRange(start: start, stop: stop, layers: n) }
            return i < 0 ? i + n : i
        }
        let lower = try resolve(start, 0), upper = try resolve(stop, n)
        return lower..<max(lower, upper)
    }

    /// Flattened ids, batch and length of a `[batch, pos]` or `[pos]` token tensor.
    static func tokenRows(_ tokens: Tensor) throws -> ([Int], Int, Int) {
        guard tokens.rank == 1 || tokens.rank == 2, tokens.count > 0 else {
            throw ForwardError.invalidInput("tokens of shape \(tokens.shape), expected [batch, pos] or [pos]")
        }
        if !tokens.dtype.isInteger, tokens.scalars.contains(where: { $0 != $0.rounded() }) {
            throw ForwardError.invalidInput("token ids must be integers")
        }
        let shape = tokens.rank == 1 ? [1, tokens.shape[0]] : tokens.shape
        return (tokens.intScalars, shape[0], shape[1])
    }

    /// A `[batch, length]` 0/1 mask as bytes; throws for another shape or value.
    static func maskRows(_ mask: Tensor, batch: Int, length: Int) throws -> [UInt8] {
        let shape = mask.rank == 1 ? [1, mask.count] : mask.shape
        guard shape == [batch, length] else {
            throw ForwardError.invalidInput("attention mask of shape \(mask.shape) for tokens [\(batch), \(length)]")
        }
        let values = mask.scalars
        guard values.allSatisfy({ $0 == 0 || $0 == 1 }) else {
            throw ForwardError.invalidInput("attention mask values must be 0 or 1")
        }
        return values.map { UInt8($0) }
    }
}
