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
    public func apply(to stateDict: StateDict, config: ModelConfig) throws -> (ModelConfig, StateDict) {
        var config = config, sd = stateDict.filled(for: config)
        let layerNormFamily = [.layerNorm, .layerNormPre].contains(config.normalizationType)
        let hasGains = sd.names.contains { $0.hasSuffix(".ln1.w") || $0.hasSuffix(".ln2.w") || $0 == "ln_final.w" }
        if foldLN, config.normalizationType != .none, hasGains {
            sd.foldNorms(config, biasesAndCentring: layerNormFamily)
            config.normalizationType = layerNormFamily ? .layerNormPre : .rmsNormPre
        }
        let centreWriting = centerWritingWeights && layerNormFamily && !config.finalRMS
        if centreWriting { sd.centreWritingWeights(config) }
        if centerUnembed, config.outputLogitsSoftCap == nil { sd.centreUnembedding() }
        if foldValueBiases {
            sd.foldValueBiases(config)
            if centerWritingWeights && layerNormFamily {
                for l in 0..<config.nLayers { sd.centre("blocks.\(l).attn.b_O", axis: -1) }
            }
        }
        if refactorFactoredAttnMatrices { try sd.refactorFactoredAttentionMatrices(config) }
        return (config, sd)
    }
}

/// `body(w, axis)` computed on a transposed matrix's contiguous storage order and transposed back, so
/// elementwise passes over checkpoint views such as `lm_head.weight.T` stream memory instead of striding.
func inStorageOrder(_ w: Tensor, axis: Int, _ body: (Tensor, Int) -> Tensor) -> Tensor {
    guard w.rank == 2, !w.isContiguous, w.T.isContiguous else { return body(w, axis) }
    return body(w.T, 1 - (axis < 0 ? axis + 2 : axis)).T
}

extension StateDict {
    /// The state dict with the optional tensors a model of `config` reads (biases, norm gains) filled in with
    /// TransformerLens's defaults, so processing sees every tensor.
    func filled(for config: ModelConfig) -> StateDict {
        var sd = self
        let d = config.dModel, dh = config.dHead, n = config.nHeads, kv = config.keyValueHeads
        func fill(_ name: String, _ shape: [Int], _ value: Float, alternative: String? = nil) {
            if sd[name] == nil, alternative.map({ sd[$0] == nil }) ?? true { sd[name] = Tensor.full(shape, value) }
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
        return sd
    }

    /// The key/value tensor `base` (`W_K`, `b_V`, ...) of layer `l` under its grouped or plain name.
    func keyValueName(_ l: Int, _ base: String) -> String {
        let grouped = "blocks.\(l).attn._\(base)"
        return self[grouped] != nil ? grouped : "blocks.\(l).attn.\(base)"
    }

    /// `tensor -= mean(tensor, axis)` for the tensor `name`, when present.
    mutating func centre(_ name: String, axis: Int) {
        guard let t = self[name] else { return }
        self[name] = inStorageOrder(t, axis: axis) { x, a in x - x.mean(axis: a, keepDims: true) }
    }

    /// `centerWritingWeights`: `W_E`, `W_pos`, `W_O`, `b_O`, `W_out`, `b_out` minus their mean over `d_model`.
    mutating func centreWritingWeights(_ config: ModelConfig) {
        centre("embed.W_E", axis: -1)
        centre("pos_embed.W_pos", axis: -1)
        for l in 0..<config.nLayers {
            for name in ["attn.W_O", "attn.b_O", "mlp.W_out", "mlp.b_out"] { centre("blocks.\(l).\(name)", axis: -1) }
        }
    }

    /// `centerUnembed`: `W_U` and `b_U` minus their mean over the vocabulary.
    mutating func centreUnembedding() {
        centre("unembed.W_U", axis: -1)
        centre("unembed.b_U", axis: -1)
    }

    /// `foldValueBiases`: `b_O += Σ_h Σ_e b_V[h, e] W_O[h, e, :]` (grouped `b_V` repeated per query head), `b_V = 0`.
    mutating func foldValueBiases(_ config: ModelConfig) {
        let n = config.nHeads, dh = config.dHead, d = config.dModel
        for l in 0..<config.nLayers {
            let vName = keyValueName(l, "b_V")
            let p = "blocks.\(l).attn."
            guard let bV = self[vName], let wO = self[p + "W_O"], let bO = self[p + "b_O"] else { continue }
            let group = n / bV.shape[0]
            let perHead = bV.unsqueezed(1).expanded(to: [bV.shape[0], group, dh]).reshaped([1, n * dh])
            self[p + "b_O"] = bO + perHead.matmul(wO.reshaped([n * dh, d])).reshaped([d])
            self[vName] = Tensor(zeros: bV.shape)
        }
    }
}
