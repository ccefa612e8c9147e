/// The one validation pass of a `ModelConfig`, run by every reader (`init(huggingFace:)`,
/// `init(transformerLens:)`) and by `HookedTransformer(config:stateDict:)` for hand-written configs, before any
/// size is used; and the memory a model of the config needs.
extension ModelConfig {
    /// The largest accepted width, head count, context or vocabulary (2^31 - 1: token ids and kernel loops are
    /// 32-bit in places, and no published model comes near).
    public static let maximumSize = Int(Int32.max)
    /// The largest accepted number of blocks (published models have at most a few hundred).
    public static let maximumLayers = 1 << 16

    /// Checks that every field describes a buildable model and that the model's size can be counted; throws
    /// `ModelConfigError.invalidField` naming the first bad field and its value. Checked: positive sizes within
    /// `maximumSize` (`maximumLayers` blocks), head counts that divide, an even rotary width within `dHead`,
    /// finite positive rotary bases, scaling factors, attention scales and soft-caps, positive windows, one
    /// attention type per layer, a normalisation epsilon in (0, 1), special-token ids inside the vocabulary, and
    /// a parameter count that fits in `Int`.
    public func validate() throws {
        func fail(_ field: String, _ reason: String) -> ModelConfigError {
            .invalidField(field, file: "ModelConfig", reason: reason)
        }
        try validateSizes()
        if let kv = nKeyValueHeads, nHeads % kv != 0 {
            throw fail("nKeyValueHeads", "\(kv) does not divide nHeads \(nHeads)")
        }
        if !attnOnly, dMLP == nil { throw fail("dMLP", "must be set unless attnOnly") }
        if positionalEmbeddingType == .rotary {
            let r = effectiveRotaryDim
            if r <= 0 || r > dHead || r % 2 != 0 {
                throw fail("rotaryDim", "\(r) must be even and in 2...dHead (\(dHead))")
            }
        }
        try requirePositive("rotaryBase", rotaryBase)
        switch ropeScaling {
        case .linear(let factor):
            try requirePositive("ropeScaling.factor", factor)
        case let .llama3(factor, low, high, original):
            try requirePositive("ropeScaling.factor", factor)
            try requirePositive("ropeScaling.lowFrequencyFactor", low)
            try requirePositive("ropeScaling.highFrequencyFactor", high)
            if high <= low { throw fail("ropeScaling.highFrequencyFactor", "\(high) must exceed lowFrequencyFactor \(low)") }
            if original <= 0 || original > Self.maximumSize {
                throw fail("ropeScaling.originalContextLength", "must be in 1...\(Self.maximumSize), got \(original)")
            }
        case nil:
            break
        }
        for (name, value) in [("attnScale", attnScale), ("attnScoresSoftCap", attnScoresSoftCap),
                              ("outputLogitsSoftCap", outputLogitsSoftCap)] {
            if let value { try requirePositive(name, Double(value)) }
        }
        if let w = windowSize, w <= 0 || w > Self.maximumSize {
            throw fail("windowSize", "must be in 1...\(Self.maximumSize), got \(w)")
        }
        if let types = attnTypes {
            if types.count != nLayers { throw fail("attnTypes", "has \(types.count) entries for \(nLayers) layers") }
            if types.contains(.local), windowSize == nil { throw fail("windowSize", "local layers need a window") }
        }
        if useNormalizationBeforeAndAfter, normalizationType == .none {
            throw fail("useNormalizationBeforeAndAfter", "needs a normalizationType")
        }
        guard eps.isFinite, eps > 0, eps < 1 else {
            throw fail("eps", "must be a finite number in (0, 1) (it is added to a variance), got \(eps)")
        }
        for (name, id) in [("bosTokenID", bosTokenID), ("padTokenID", padTokenID)] + eosTokenIDs.map({ ("eosTokenIDs", $0) }) {
            if let id, id < 0 || id >= dVocab { throw fail(name, "\(id) is outside the vocabulary 0..<\(dVocab)") }
        }
        if parameterCount == nil { throw fail("dModel", "the model's parameter count overflows") }
    }

    /// The size fields alone: positive, within `maximumSize` and `maximumLayers`. Readers run this before they
    /// form arrays or ranges from the sizes (per-layer attention types), then `validate()` for the rest.
    func validateSizes() throws {
        var sizes = [("dModel", dModel), ("dHead", dHead), ("nHeads", nHeads), ("nCtx", nCtx), ("dVocab", dVocab),
                     ("dVocabOut", dVocabOut)]
        if let dMLP { sizes.append(("dMLP", dMLP)) }
        if let nKeyValueHeads { sizes.append(("nKeyValueHeads", nKeyValueHeads)) }
        if let rotaryDim { sizes.append(("rotaryDim", rotaryDim)) }
        for (name, value) in sizes where value <= 0 || value > Self.maximumSize {
            throw ModelConfigError.invalidField(name, file: "ModelConfig",
                                                reason: "must be in 1...\(Self.maximumSize), got \(value)")
        }
        if nLayers <= 0 || nLayers > Self.maximumLayers {
            throw ModelConfigError.invalidField("nLayers", file: "ModelConfig",
                                                reason: "must be in 1...\(Self.maximumLayers), got \(nLayers)")
        }
    }

    private func requirePositive(_ field: String, _ value: Double) throws {
        guard value.isFinite, value > 0 else {
            throw ModelConfigError.invalidField(field, file: "ModelConfig", reason: "must be a finite positive number, got \(value)")
        }
    }

    /// The number of weights a model of this config holds (embeddings, every block's attention, MLP and norm
    /// weights and biases, final norm, unembedding), counted with overflow checks: nil when it overflows `Int`.
    public var parameterCount: Int? {
        let d = dModel, dh = dHead, n = nHeads, kv = keyValueHeads
        let m = attnOnly ? 0 : dMLP ?? 0
        let attention = CheckedSize.sum([CheckedSize.product([2, n, d, dh]), CheckedSize.product([2, kv, d, dh]),
                                         CheckedSize.product([n, dh]), CheckedSize.product([2, kv, dh]), d])
        let mlp = CheckedSize.sum([CheckedSize.product([gatedMLP ? 3 : 2, d, m]), m, d])
        let norms = CheckedSize.product([8, d])
        let block = CheckedSize.sum([attention, mlp, norms, CheckedSize.product([4, dh])])
        return CheckedSize.sum([
            CheckedSize.product([dVocab, d]), positionalEmbeddingType == .standard ? CheckedSize.product([nCtx, d]) : 0,
            block.flatMap { CheckedSize.product([$0, nLayers]) }, d, CheckedSize.product([d + 1, dVocabOut]),
        ])
    }

    /// Bytes of the model's weights at `bytesPerParameter` each (4: Float32, as processing makes them), nil when
    /// it overflows.
    public func weightBytes(bytesPerParameter: Int = 4) -> Int? {
        parameterCount.flatMap { CheckedSize.product([$0, bytesPerParameter]) }
    }

    /// Throws `TensorError.insufficientMemory` (needed vs available) when the model's weights cannot be held,
    /// before a loader allocates any of them: a config with `n_embd` 10^7 is refused here. Loaders check 4 bytes
    /// per parameter when they process weights (processing writes Float32 copies) and 2 when they do not
    /// (weights stay in their stored type, F16 / BF16 at the smallest, memory-mapped).
    public func checkMemory(bytesPerParameter: Int = 4, budget: MemoryBudget = .current) throws {
        try budget.check(needed: weightBytes(bytesPerParameter: bytesPerParameter),
                         what: "a model with d_model \(dModel), \(nLayers) layers and d_vocab \(dVocab)")
    }
}
