/// Activation patching of one clean/corrupted pair (denoising: clean activations patched into the
/// corrupted run), scored with the prompt's metric normalised to 0 (corrupted) … 1 (clean).
public struct PatchingScan: Sendable, Encodable {
    /// The metric on the clean run.
    public let cleanMetric: Float
    /// The metric on the corrupted run.
    public let corruptedMetric: Float
    /// `[n_layers][pos]`: the normalised metric after patching `resid_pre` of one layer at one position.
    public let residPre: [[Float]]
    /// `[n_layers][n_heads]`: the normalised metric after patching one head's `hook_z` at every position.
    public let heads: [[Float]]
    /// `[n_layers][pos]`: the normalised metric after patching one layer's `attn_out` at one position.
    public let attnOut: [[Float]]
    /// `[n_layers][pos]`: the same for `mlp_out`.
    public let mlpOut: [[Float]]
    /// `[n_layers][pos][n_heads]`: the normalised metric after patching one head's `hook_z` at one position
    /// (`get_act_patch_attn_head_out_by_pos`).
    public let headsByPosition: [[[Float]]]

    /// The strongest `resid_pre` cell (largest normalised metric; the earliest layer, then position, on a tie).
    public var topResidCell: (layer: Int, position: Int, value: Float) {
        var best = (layer: 0, position: 0, value: -Float.infinity)
        for (l, row) in residPre.enumerated() {
            for (p, v) in row.enumerated() where v > best.value { best = (l, p, v) }
        }
        return best
    }

    /// For each layer, the position whose `resid_pre` patch recovers the most.
    public var topPositionPerLayer: [Int] {
        residPre.map { row in row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0 }
    }

    /// The `count` heads whose patch recovers the most, best first.
    public func topHeads(_ count: Int) -> [AttentionHead] { AttentionHead.top(count, of: heads) }
}

extension LensModel {
    /// Patches `resid_pre`, `attn_out` and `mlp_out` by layer and position and every head's output (`hook_z`, at
    /// all positions and at each position) from the clean run into the corrupted run of `prompt` (which needs a
    /// corrupted prompt), with the metric
    /// normalised by its clean and corrupted values. Progress bars appear for sweeps over a second.
    public func patchingScan(_ prompt: TokenizedPrompt, showProgress: Bool = true) throws -> PatchingScan {
        guard let corrupted = prompt.corruptedTensor else {
            throw LensError.invalidArgument("activation patching needs a corrupted prompt")
        }
        let clean = prompt.tokenTensor
        let metric = try prompt.metric
        let cleanValue = try metric(transformer.forward(tokens: clean))
        let corruptedValue = try metric(transformer.forward(tokens: corrupted))
        let normalized = try metric.normalized(clean: cleanValue, corrupted: corruptedValue)
        let options = PatchingOptions(showProgress: showProgress)
        let names = (0..<transformer.config.nLayers).flatMap { layer in
            ["resid_pre", "z", "attn_out", "mlp_out"].map { getActName($0, layer: layer) }
        }
        let (_, cache) = try transformer.runWithCache(clean, names: .names(names))
        let sweep = { (kind: PatchSweep) in
            try self.transformer.actPatch(kind, corruptedTokens: corrupted, cleanCache: cache, metric: normalized,
                                          options: options)
        }
        let byPosition = try sweep(.headZByPos)
        return PatchingScan(cleanMetric: cleanValue, corruptedMetric: corruptedValue, residPre: try sweep(.residPre).rowArrays,
                            heads: try sweep(.headZAllPos).rowArrays, attnOut: try sweep(.attnOut).rowArrays,
                            mlpOut: try sweep(.mlpOut).rowArrays,
                            headsByPosition: (0..<byPosition.shape[0]).map { byPosition[$0].rowArrays })
    }
}
