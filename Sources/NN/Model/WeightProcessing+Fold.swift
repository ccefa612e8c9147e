extension StateDict {
    /// `fold_ln` for layer `l`: each norm gain `w` (and LayerNorm bias `b`) moves into the layer that reads the
    /// norm. For a reader `W [.., d_model, ..]` with bias `c`: `c += Σ_d b[d] W[.., d, ..]` (LayerNorm only,
    /// using the unscaled `W`), then `W *= w[d]`, then (LayerNorm only) `W -= mean_d W`. Readers are `W_Q`, `W_K`,
    /// `W_V` (ln1), `W_in` and `W_gate` (ln2; only `W_in` is centred, as in TransformerLens). Gemma 2's
    /// `ln1_post`/`ln2_post` and QK norms stay.
    mutating func foldNorms(layer l: Int, _ config: ModelConfig, biasesAndCentring: Bool) {
        let p = "blocks.\(l)"
        let names = ["\(p).attn.W_Q", keyValueName(l, "W_K"), keyValueName(l, "W_V")]
        let biases = ["\(p).attn.b_Q", keyValueName(l, "b_K"), keyValueName(l, "b_V")]
        fold(norm: p + ".ln1", into: zip(names, biases).map { ($0, $1) }, axis: 1, centre: biasesAndCentring)
        if !config.attnOnly, self["\(p).mlp.W_in"] != nil {
            fold(norm: p + ".ln2", into: [("\(p).mlp.W_in", "\(p).mlp.b_in"), ("\(p).mlp.W_gate", nil)], axis: 0,
                 centre: biasesAndCentring, centreOnly: "\(p).mlp.W_in")
        }
    }

    /// `fold_ln` for the final norm: into `W_U`, whose bias goes to `b_U` unless the final norm is RMS.
    mutating func foldFinalNorm(_ config: ModelConfig, biasesAndCentring: Bool) {
        if config.finalRMS || !biasesAndCentring { self["ln_final.b"] = nil }
        fold(norm: "ln_final", into: [("unembed.W_U", "unembed.b_U")], axis: 0, centre: biasesAndCentring)
    }

    /// `v [n]` reshaped to broadcast along `axis` of a rank-`rank` tensor.
    private static func along(_ v: Tensor, _ axis: Int, _ rank: Int) -> Tensor {
        v.reshaped((0..<rank).map { $0 == axis ? v.count : 1 })
    }

    /// Folds the norm at `norm` into each `(weight, bias)` reader whose `d_model` axis is `axis`; removes the
    /// norm's tensors. With `centreOnly`, only that reader is centred.
    private mutating func fold(norm: String, into readers: [(String, String?)], axis: Int, centre: Bool,
                               centreOnly: String? = nil) {
        guard let gain = self[norm + ".w"] else { return }
        let shift = self[norm + ".b"]
        for (weightName, biasName) in readers {
            if let shift, let biasName, let bias = self[biasName], let w = self[weightName] {
                // c[.., e] += Σ_d b[d] W[.., d, e]
                self[biasName] = bias + reducedInStorageOrder(w, axis: axis) { x, a in
                    (x * Self.along(shift, a, x.rank)).sum(axis: a)
                }
            }
            let centred = centre && (centreOnly == nil || centreOnly == weightName)
            update(weightName) { w in
                inStorageOrder(&w, axis: axis) { x, a in
                    x *= Self.along(gain, a, x.rank)
                    if centred { x -= x.mean(axis: a, keepDims: true) }
                }
            }
        }
        self[norm + ".w"] = nil
        self[norm + ".b"] = nil
    }
}
