/// Rearrangements from Hugging Face `nn.Linear` layouts to TransformerLens head layouts (views, no copies).
enum HeadLayout {
    /// `(n h) m -> n m h`: a `[heads·d_head, d_model]` projection weight to `[heads, d_model, d_head]`.
    static func inputHeads(_ w: Tensor, heads: Int) -> Tensor {
        w.reshaped([heads, w.shape[0] / heads, w.shape[1]]).permuted([0, 2, 1])
    }

    /// `m (n h) -> n h m`: a `[d_model, heads·d_head]` output weight to `[heads, d_head, d_model]`.
    static func outputHeads(_ w: Tensor, heads: Int) -> Tensor {
        w.reshaped([w.shape[0], heads, w.shape[1] / heads]).permuted([1, 2, 0])
    }

    /// `(n h) -> n h`: a `[heads·d_head]` bias to `[heads, d_head]`.
    static func biasHeads(_ b: Tensor, heads: Int) -> Tensor {
        b.reshaped([heads, b.shape[0] / heads])
    }
}

/// Shared steps of the per-architecture converters.
extension StateDict {
    /// Stores a Hugging Face projection `[heads·d_head, d_model]` (and optional bias) as TransformerLens
    /// `W_*` / `b_*` at `prefix` (e.g. `blocks.0.attn.W_Q`, `blocks.0.attn._W_K`).
    mutating func setProjection(_ prefix: String, _ letter: String, weight: Tensor, bias: Tensor?, heads: Int,
                                grouped: Bool = false) {
        let mark = grouped ? "_" : ""
        self["\(prefix).\(mark)W_\(letter)"] = HeadLayout.inputHeads(weight, heads: heads)
        self["\(prefix).\(mark)b_\(letter)"] = bias.map { HeadLayout.biasHeads($0, heads: heads) }
            ?? Tensor(zeros: [heads, weight.shape[0] / heads])
    }
}

extension CheckpointReader {
    /// The output embedding `[vocab, d_model]` stored as `name`, or `embedding` when the checkpoint ties them
    /// and omits the head.
    func unembedding(_ hf: HuggingFaceDescription, embedding: Tensor,
                     name: String = "lm_head.weight") throws -> Tensor {
        if hf.tieWordEmbeddings, !has(name) { return embedding }
        return try tensor(name, shape: [hf.config.dVocabOut, hf.config.dModel])
    }
}
