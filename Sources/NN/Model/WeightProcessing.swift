/// TransformerLens's weight processing (`HookedTransformer.from_pretrained`): rewrites that leave log-probs
/// unchanged but make weights easier to read. Applied in TransformerLens's order: fold norms, centre writing
/// weights, centre the unembedding, fold value biases, then (optionally) refactor the factored attention matrices.
public struct WeightProcessing: Sendable, Equatable {
    /// Fold each norm's gain (and LayerNorm bias) into the next linear layer; norms become `LNPre` / `RMSPre`.
    public var foldLN: Bool
    /// Subtract the mean over `d_model` from every weight writing to the residual stream (LayerNorm models).
    public var centerWritingWeights: Bool
    /// Subtract the mean over the vocabulary from `W_U` and `b_U` (skipped with an output soft-cap).
    public var centerUnembed: Bool
    /// Move value biases into the output bias: `b_O += Σ_h b_V[h] · W_O[h]`, `b_V = 0`.
    public var foldValueBiases: Bool
    /// Rebalance `W_Q`/`W_K` and `W_V`/`W_O` through SVDs of `W_QK` and `W_OV` (learned positions only).
    public var refactorFactoredAttnMatrices: Bool

    /// Chooses each step.
    public init(foldLN: Bool, centerWritingWeights: Bool, centerUnembed: Bool, foldValueBiases: Bool,
                refactorFactoredAttnMatrices: Bool = false) {
        self.foldLN = foldLN
        self.centerWritingWeights = centerWritingWeights
        self.centerUnembed = centerUnembed
        self.foldValueBiases = foldValueBiases
        self.refactorFactoredAttnMatrices = refactorFactoredAttnMatrices
    }

    /// TransformerLens's `from_pretrained` defaults: every step but the refactoring.
    public static let `default` = WeightProcessing(foldLN: true, centerWritingWeights: true, centerUnembed: true,
                                                   foldValueBiases: true)
    /// `from_pretrained_no_processing`: the weights as converted.
    public static let none = WeightProcessing(foldLN: false, centerWritingWeights: false, centerUnembed: false,
                                              foldValueBiases: false)

    /// The processed configuration (norms folded to `LNPre` / `RMSPre`) and weights.
    public func apply(to stateDict: consuming StateDict, config: ModelConfig) throws -> (ModelConfig, StateDict) {
        try apply(to: stateDict, config: config) { _, _ in }
    }

    /// `apply(to:config:)` one layer at a time: each layer's steps run in TransformerLens's order, then the
    /// embeddings' and the unembedding's, and `finished` is called with the names of each group as soon as no
    /// later step reads or changes them (a caller rounds them back to a stored type there, so only one group is
    /// Float32 at a time). Every step of one layer reads only that layer's tensors and the norms before it, so
    /// the results equal processing step by step over the whole model. Weights the state dict alone holds are
    /// rewritten in place (`update`), not copied.
    func apply(to stateDict: consuming StateDict, config: ModelConfig,
               finished: (inout StateDict, [String]) -> Void) throws -> (ModelConfig, StateDict) {
        var config = config, sd = stateDict
        sd.fill(for: config)
        let layerNormFamily = [.layerNorm, .layerNormPre].contains(config.normalizationType)
        let hasGains = sd.names.contains { $0.hasSuffix(".ln1.w") || $0.hasSuffix(".ln2.w") || $0 == "ln_final.w" }
        let fold = foldLN && config.normalizationType != .none && hasGains
        let centreWriting = centerWritingWeights && layerNormFamily && !config.finalRMS
        if refactorFactoredAttnMatrices { try sd.checkRefactoring(config) }
        for l in 0..<config.nLayers {
            if fold { sd.foldNorms(layer: l, config, biasesAndCentring: layerNormFamily) }
            if centreWriting { sd.centreWritingWeights(layer: l) }
            if foldValueBiases {
                sd.foldValueBiases(layer: l, config)
                if centerWritingWeights && layerNormFamily { sd.centre("blocks.\(l).attn.b_O", axis: -1) }
            }
            if refactorFactoredAttnMatrices { try sd.refactorFactoredAttentionMatrices(layer: l, config) }
            let prefix = "blocks.\(l)."
            finished(&sd, sd.names.filter { $0.hasPrefix(prefix) })
        }
        if fold {
            sd.foldFinalNorm(config, biasesAndCentring: layerNormFamily)
            config.normalizationType = layerNormFamily ? .layerNormPre : .rmsNormPre
        }
        if centreWriting {
            sd.centre("embed.W_E", axis: -1)
            sd.centre("pos_embed.W_pos", axis: -1)
        }
        if centerUnembed, config.outputLogitsSoftCap == nil {
            sd.centre("unembed.W_U", axis: -1)
            sd.centre("unembed.b_U", axis: -1)
        }
        finished(&sd, sd.names.filter { !$0.hasPrefix("blocks.") })
        return (config, sd)
    }
}

/// `w`'s axes by decreasing stride (ties in axis order): the permutation that makes a dense view contiguous.
private func storageOrder(_ w: Tensor) -> [Int] {
    (0..<w.rank).sorted { w.strides[$0] != w.strides[$1] ? w.strides[$0] > w.strides[$1] : $0 < $1 }
}

/// `body(&w, axis)` run on `w` with its axes in storage order and put back after, so elementwise passes over
/// checkpoint views (`lm_head.weight.T`, head-split `W_Q`, `W_O`) stream contiguous memory, and can be done in
/// place, instead of striding.
func inStorageOrder(_ w: inout Tensor, axis: Int, _ body: (inout Tensor, Int) -> Void) {
    let axis = axis < 0 ? axis + w.rank : axis, order = storageOrder(w)
    guard order != Array(0..<w.rank), w.permuted(order).isContiguous else { return body(&w, axis) }
    var inverse = order
    for (i, a) in order.enumerated() { inverse[a] = i }
    w = w.permuted(order)
    body(&w, order.firstIndex(of: axis)!)
    w = w.permuted(inverse)
}

/// `reduce(w, axis)` for a `reduce` that removes `axis`, computed with `w`'s axes in storage order; the result's
/// axes are those of `w` without `axis`, in `w`'s order.
func reducedInStorageOrder(_ w: Tensor, axis: Int, _ reduce: (Tensor, Int) -> Tensor) -> Tensor {
    let axis = axis < 0 ? axis + w.rank : axis, order = storageOrder(w)
    guard order != Array(0..<w.rank), w.permuted(order).isContiguous else { return reduce(w, axis) }
    let kept = order.filter { $0 != axis }
    return reduce(w.permuted(order), order.firstIndex(of: axis)!).permuted(kept.indices.sorted { kept[$0] < kept[$1] })
}

extension StateDict {
    /// Fills in the optional tensors a model of `config` reads (biases, norm gains) with TransformerLens's
    /// defaults, so processing sees every tensor.
    mutating func fill(for config: ModelConfig) {
        let d = config.dModel, dh = config.dHead, n = config.nHeads, kv = config.keyValueHeads
        func fill(_ name: String, _ shape: [Int], _ value: Float, alternative: String? = nil) {
            if self[name] == nil, alternative.map({ self[$0] == nil }) ?? true { self[name] = Tensor.full(shape, value) }
        }
        func norm(_ name: String) {
            guard !config.normalizationType.isFolded, config.normalizationType != .none else { return }
            fill(name + ".w", [d], 1)
            if !config.normalizationType.isRMS { fill(name + ".b", [d], 0) }
        }
        let mark = config.usesGroupedNames ? "_" : "", other = config.usesGroupedNames ? "" : "_"
        for l in 0..<config.nLayers {
            let p = "blocks.\(l)"
            norm(p + ".ln1")
            fill(p + ".attn.b_Q", [n, dh], 0)
            fill("\(p).attn.\(mark)b_K", [kv, dh], 0, alternative: "\(p).attn.\(other)b_K")
            fill("\(p).attn.\(mark)b_V", [kv, dh], 0, alternative: "\(p).attn.\(other)b_V")
            fill(p + ".attn.b_O", [d], 0)
            guard !config.attnOnly, let m = config.dMLP else { continue }
            norm(p + ".ln2")
            fill(p + ".mlp.b_in", [m], 0)
            fill(p + ".mlp.b_out", [d], 0)
        }
        norm("ln_final")
        fill("unembed.b_U", [config.dVocabOut], 0)
    }

    /// The key/value tensor `base` (`W_K`, `b_V`, ...) of layer `l` under its grouped or plain name.
    func keyValueName(_ l: Int, _ base: String) -> String {
        let grouped = "blocks.\(l).attn._\(base)"
        return self[grouped] != nil ? grouped : "blocks.\(l).attn.\(base)"
    }

    /// `tensor -= mean(tensor, axis)` for the tensor `name`, when present (in place when only this holds it).
    mutating func centre(_ name: String, axis: Int) {
        update(name) { t in
            inStorageOrder(&t, axis: axis) { x, a in x -= x.mean(axis: a, keepDims: true) }
        }
    }

    /// `centerWritingWeights` for layer `l`: `W_O`, `b_O`, `W_out`, `b_out` minus their mean over `d_model`
    /// (`W_E` and `W_pos` are centred with the embeddings).
    mutating func centreWritingWeights(layer l: Int) {
        for name in ["attn.W_O", "attn.b_O", "mlp.W_out", "mlp.b_out"] { centre("blocks.\(l).\(name)", axis: -1) }
    }

    /// `foldValueBiases` for layer `l`: `b_O += Σ_h Σ_e b_V[h, e] W_O[h, e, :]` (grouped `b_V` repeated per query
    /// head), `b_V = 0`.
    mutating func foldValueBiases(layer l: Int, _ config: ModelConfig) {
        let n = config.nHeads, dh = config.dHead, d = config.dModel
        let vName = keyValueName(l, "b_V")
        let p = "blocks.\(l).attn."
        guard let bV = self[vName], let wO = self[p + "W_O"], let bO = self[p + "b_O"] else { return }
        let group = n / bV.shape[0]
        let perHead = bV.unsqueezed(1).expanded(to: [bV.shape[0], group, dh]).reshaped([1, n * dh])
        self[p + "b_O"] = bO + perHead.matmul(wO.reshaped([n * dh, d])).reshaped([d])
        self[vName] = Tensor(zeros: bV.shape)
    }
}
