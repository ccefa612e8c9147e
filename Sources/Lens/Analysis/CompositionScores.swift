/// How a later head reads an earlier head's output (A Mathematical Framework, "Q-, K- and V-Composition").
public enum CompositionMode: String, Sendable, CaseIterable {
    /// The earlier OV output feeds the later head's queries: `OV₁ · QK₂`.
    case Q
    /// The earlier OV output feeds the later head's keys: `OV₁ · QK₂ᵀ`.
    case K
    /// The earlier OV output feeds the later head's values: `OV₁ · OV₂`.
    case V
}

/// Composition scores `‖L R‖_F / (‖L‖_F ‖R‖_F)` between every matrix of `left` and every matrix of
/// `right` (TransformerLens's `utils.composition_scores` with broadcast dims): shape `left`'s leading axes
/// followed by `right`'s. Computed from `diag(S) Vᵀ` of each left and `U diag(S)` of each right matrix,
/// which have the same norms and products as the full matrices. Throws when `left.rdim != right.ldim`.
public func compositionScores(_ left: FactoredMatrix, _ right: FactoredMatrix) throws -> Tensor {
    guard left.rdim == right.ldim else {
        throw LensError.invalidArgument("composition scores need left.rdim == right.ldim, shapes \(left.shape) and \(right.shape)")
    }
    let leftLeading = Array(left.shape.dropLast(2)), rightLeading = Array(right.shape.dropLast(2))
    let d = left.rdim
    let lefts = try left.collapseL()
    let rights = try right.collapseR()
    let (kl, kr) = (lefts.shape[lefts.rank - 2], rights.shape[rights.rank - 1])
    let nl = leftLeading.reduce(1, *), nr = rightLeading.reduce(1, *)
    let l = lefts.reshaped([nl, kl, d])
    // rightsFlat[:, j·kr + c] = column c of right matrix j
    let rightsFlat = rights.reshaped([nr, d, kr]).permuted([1, 0, 2]).contiguous().reshaped([d, nr * kr])
    let leftNorms = l.square().sum(axes: [1, 2]).sqrt().scalars
    let rightNorms = rights.reshaped([nr, d, kr]).square().sum(axes: [1, 2]).sqrt().scalars
    var scores = [Float](repeating: 0, count: nl * nr)
    for i in 0..<nl {
        // ‖L_i R_j‖_F for every j at once: one [kl, d] × [d, nr·kr] product
        let products = l[i].matmul(rightsFlat).reshaped([kl, nr, kr]).square().sum(axes: [0, 2]).sqrt().scalars
        for j in 0..<nr { scores[i * nr + j] = products[j] / rightNorms[j] / leftNorms[i] }
    }
    return Tensor(scores, shape: leftLeading + rightLeading)
}

extension HookedTransformer {
    /// Composition scores between every pair of heads `[n_layers, n_heads, n_layers, n_heads]`
    /// (`all_composition_scores`): entry `[l1, h1, l2, h2]` scores head `l1.h1`'s OV circuit composing
    /// into head `l2.h2` by `mode`, and is zero unless `l1 < l2`.
    public func allCompositionScores(mode: CompositionMode) throws -> Tensor {
        let right: FactoredMatrix
        switch mode {
        case .Q: right = QK
        case .K: right = QK.T
        case .V: right = OV
        }
        let scores = try compositionScores(OV, right)
        let (layers, heads) = (config.nLayers, config.nHeads)
        // mask[l1, h1, l2, h2] = l1 < l2
        var mask = [Float](repeating: 0, count: layers * heads * layers * heads)
        for l1 in 0..<layers {
            for h1 in 0..<heads {
                for l2 in (l1 + 1)..<layers {
                    let row = ((l1 * heads + h1) * layers + l2) * heads
                    for h2 in 0..<heads { mask[row + h2] = 1 }
                }
            }
        }
        return scores * Tensor(mask, shape: scores.shape)
    }
}
