extension StateDict {
    /// Throws unless `refactor_factored_attn_matrices` applies: rotary models and grouped key/value heads cannot
    /// be refactored.
    func checkRefactoring(_ config: ModelConfig) throws {
        guard config.positionalEmbeddingType != .rotary, !config.usesGroupedNames else {
            throw ModelConfigError.unsupportedSetting(
                "refactorFactoredAttnMatrices", file: source,
                reason: "needs learned positions and one key/value head per query head")
        }
    }

    /// `refactor_factored_attn_matrices` for layer `l` (after `checkRefactoring`): per head, `[W_Q; b_Q]` and
    /// `[W_K; b_K]` become the even factors `U √S` and `V √S` of the SVD of `W_QK = [W_Q; b_Q] [W_K; b_K]ᵀ`; the
    /// value bias folds into `b_O`; and `W_V = U S`, `W_O = Vᵀ` from the SVD of `W_OV = W_V W_O`.
    mutating func refactorFactoredAttentionMatrices(layer l: Int, _ config: ModelConfig) throws {
        let n = config.nHeads, d = config.dModel, dh = config.dHead
        let p = "blocks.\(l).attn."
        guard let wQ = self[p + "W_Q"], let wK = self[p + "W_K"], let wV = self[p + "W_V"],
              let wO = self[p + "W_O"], let bQ = self[p + "b_Q"], let bK = self[p + "b_K"],
              let bV = self[p + "b_V"], let bO = self[p + "b_O"] else {
            throw CheckpointError.missingTensor(p + "W_Q/W_K/W_V/W_O and biases", file: source)
        }
        var newQ = Tensor(zeros: [n, d + 1, dh]), newK = newQ
        var newV = Tensor(zeros: [n, d, dh]), newO = Tensor(zeros: [n, dh, d])
        for h in 0..<n {
            let (u, s, v) = try lowRankSVD(Self.appendRow(wQ[h], bQ[h]), Self.appendRow(wK[h], bK[h]).T)
            let root = s.sqrt()
            newQ[h] = u * root
            newK[h] = v * root
            let (uOV, sOV, vOV) = try lowRankSVD(wV[h], wO[h])
            newV[h] = uOV * sOV
            newO[h] = vOV.T
        }
        self[p + "W_Q"] = newQ[.all, 0..<d]
        self[p + "b_Q"] = newQ[.all, d]
        self[p + "W_K"] = newK[.all, 0..<d]
        self[p + "b_K"] = newK[.all, d]
        self[p + "b_O"] = bO + bV.reshaped([1, n * dh]).matmul(wO.reshaped([n * dh, d])).reshaped([d])
        self[p + "b_V"] = Tensor(zeros: bV.shape)
        self[p + "W_V"] = newV
        self[p + "W_O"] = newO
    }

    /// `[w; row]`: the matrix `w [r, c]` with `row [c]` appended as row `r`.
    private static func appendRow(_ w: Tensor, _ row: Tensor) -> Tensor {
        var out = Tensor(zeros: [w.shape[0] + 1, w.shape[1]])
        out[0..<w.shape[0]] = w
        out[w.shape[0]] = row
        return out
    }
}

/// SVD of the product `A B` (`A [l, m]`, `B [m, r]`) from the factors, as TransformerLens's
/// `FactoredMatrix.svd`: `A B = U diag(S) Vᵀ` with `U [l, m]`, `S [m]`, `V [r, m]`.
func lowRankSVD(_ a: Tensor, _ b: Tensor) throws -> (U: Tensor, S: Tensor, V: Tensor) {
    let (ua, sa, vha) = try a.svd(fullMatrices: false)
    let (ub, sb, vhb) = try b.svd(fullMatrices: false)
    // middle = diag(Sa) Vaᵀ Ub diag(Sb)
    let middle = (sa.unsqueezed(1) * vha).matmul(ub * sb.unsqueezed(0))
    let (um, sm, vhm) = try middle.svd(fullMatrices: false)
    return (ua.matmul(um), sm, vhb.T.matmul(vhm.T))
}
