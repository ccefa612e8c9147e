import Foundation

extension ModelConfig {
    /// Bytes of the activations a pass over `batch × length` new positions (after `past` cached ones) holds at its
    /// peak: a block's residual, attention and MLP tensors, the scores and pattern, and the logits; nil on overflow.
    /// A memory plan made from the config alone (no weights loaded), as `lens slurm` makes one for each task.
    public func activationBytes(batch: Int, length: Int, past: Int) -> Int? {
        let rows = CheckedSize.product([batch, length])
        let widths = CheckedSize.sum([CheckedSize.product([6, dModel]), CheckedSize.product([4, nHeads, dHead]),
                                      CheckedSize.product([3, attnOnly ? 0 : dMLP ?? 0]), dVocabOut])
        let scores = CheckedSize.product([2, batch, nHeads, length, past + length])
        return CheckedSize.product([CheckedSize.sum([rows.flatMap { r in widths.flatMap { CheckedSize.product([r, $0]) } },
                                                     scores]) ?? -1, 4])
    }
}

extension ModelConfig {
    /// The config of a model folder in either layout (a Hugging Face `config.json` with `model_type`, or a
    /// TransformerLens one), read without the weights, validated as the loaders validate it.
    public init(modelFolder folder: URL) throws {
        let url = folder.appendingPathComponent("config.json")
        self = try HookedTransformer.isTransformerLensConfig(url) ? ModelConfig(transformerLens: url) : ModelConfig(huggingFace: url)
    }
}
