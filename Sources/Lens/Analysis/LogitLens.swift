/// The logit lens and direct logit attribution, built from the cache's decompositions.
extension ActivationCache {
    /// What the model would predict from the residual stream before each layer: every accumulated residual
    /// (`accumulatedResid` with `inclMid`, `posSlice`), normalised by the final norm with its own statistics,
    /// then unembedded (`· W_U + b_U`). Logits `[components, ..., d_vocab_out]` and labels (`0_pre`, …,
    /// `final_post`).
    public func logitLens(posSlice: AxisSlice = .all, inclMid: Bool = false) throws -> (logits: Tensor, labels: [String]) {
        let (stack, labels) = try accumulatedResid(inclMid: inclMid, applyLn: true, posSlice: posSlice, returnLabels: true)
        return (stack.matmul(model.W_U) + model.b_U, labels)
    }

    /// Direct logit attribution of each sublayer (`decomposeResid` with `mode`: embeddings, each attention
    /// and MLP output) to `tokens` (minus `incorrectTokens`), through the cached final norm:
    /// `[components, ...]` and labels (`embed`, `pos_embed`, `0_attn_out`, …).
    public func layerAttribution(tokens: TokenInput, incorrectTokens: TokenInput? = nil, posSlice: AxisSlice = .all,
                                 mode: DecomposeMode = .all) throws -> (attributions: Tensor, labels: [String]) {
        let (stack, labels) = try decomposeResid(mode: mode, posSlice: posSlice, returnLabels: true)
        return (try logitAttrs(stack, tokens: tokens, incorrectTokens: incorrectTokens, posSlice: posSlice), labels)
    }

    /// Direct logit attribution of every head (`stackHeadResults`) to `tokens` (minus `incorrectTokens`):
    /// `[n_layers·n_heads, ...]` in order `L0H0, L0H1, …` and those labels.
    public func headAttribution(tokens: TokenInput, incorrectTokens: TokenInput? = nil,
                                posSlice: AxisSlice = .all) throws -> (attributions: Tensor, labels: [String]) {
        let (stack, labels) = try stackHeadResults(posSlice: posSlice, returnLabels: true)
        return (try logitAttrs(stack, tokens: tokens, incorrectTokens: incorrectTokens, posSlice: posSlice), labels)
    }

    /// Direct logit attribution of every MLP neuron to `tokens` (minus `incorrectTokens`), one token or one
    /// per batch row: `[n_layers·d_mlp, ...]` in order `L0N0, …` and those labels. Each neuron is projected
    /// onto the logit direction with the final norm folded in, so no `[…, d_mlp, d_model]` tensor is formed.
    public func neuronAttribution(tokens: TokenInput, incorrectTokens: TokenInput? = nil,
                                  posSlice: AxisSlice = .all) throws -> (attributions: Tensor, labels: [String]) {
        var directions = try model.tokensToResidualDirections(tokens.resolved(tokenizer))
        if let incorrectTokens {
            let wrong = try model.tokensToResidualDirections(incorrectTokens.resolved(tokenizer))
            guard wrong.shape == directions.shape else {
                throw LensError.invalidArgument("tokens and incorrectTokens must have the same shape")
            }
            directions = directions - wrong
        }
        if directions.rank == 1 {
            let (stack, labels) = try stackNeuronResults(posSlice: posSlice, applyLn: true, projectOutputOnto: directions,
                                                         returnLabels: true)
            return (stack, labels)
        }
        guard directions.rank == 2, hasBatchDim, directions.shape[0] == batchSize else {
            throw LensError.invalidArgument("neuronAttribution takes one token or one token per batch row, got directions \(directions.shape)")
        }
        var rows: [Tensor] = [], labels: [String] = []
        for b in 0..<directions.shape[0] {
            let row = try applySliceToBatchDim(.index(b))
            let result = try row.stackNeuronResults(posSlice: posSlice, applyLn: true, projectOutputOnto: directions[b],
                                                    returnLabels: true)
            rows.append(result.stack)
            labels = result.labels
        }
        return (Tensor.stack(rows, axis: 1), labels)
    }
}
