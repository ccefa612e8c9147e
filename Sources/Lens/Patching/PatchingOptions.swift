/// How a patching sweep is computed. Both strategies give the same numbers (within float rounding).
public enum PatchStrategy: String, Sendable, CaseIterable {
    /// A patch at layer L starts from the patched run's cached residual before block L and recomputes only
    /// blocks L and up; many patches run together, stacked along the batch axis; only the positions the
    /// metric reads are unembedded.
    case fast
    /// One full forward pass per patch from the tokens, as TransformerLens does (the reference).
    case naive
}

/// Which run is patched and where the patched-in values come from.
public enum PatchDirection: String, Sendable, CaseIterable {
    /// Clean activations patched into the corrupted run (TransformerLens's convention: "does fixing this fix
    /// the behaviour?").
    case denoising
    /// Corrupted activations patched into the clean run ("does breaking this break the behaviour?").
    case noising
}

/// Options of a patching sweep.
public struct PatchingOptions: Sendable {
    /// Fast (reuse and batch) or naive (one forward per patch).
    public var strategy: PatchStrategy
    /// Upper bound on the activation memory of one stacked batch of patches (bytes, estimated).
    public var maxBatchBytes: Int
    /// Draw a progress bar on standard error for sweeps that run longer than a second.
    public var showProgress: Bool

    /// Options; by default fast, 256 MB per stacked batch, with a progress bar.
    public init(strategy: PatchStrategy = .fast, maxBatchBytes: Int = 256 << 20, showProgress: Bool = true) {
        self.strategy = strategy
        self.maxBatchBytes = maxBatchBytes
        self.showProgress = showProgress
    }
}
