/// What a scan records per unit. Everything here is part of a scan's identity: a database written with other
/// options is refused, and shards merge only when their options are equal.
public struct ScanOptions: Sendable, Equatable, Codable {
    /// Contexts per forward pass. Batch `j` holds contexts `j·batchSize ..< (j+1)·batchSize`; a resumed scan
    /// starts at a batch boundary, so every context is computed in the same batch as in an uninterrupted run.
    public var batchSize: Int
    /// Contexts kept per unit, ranked by the unit's largest activation in the context (ties: lower context first).
    public var topK: Int
    /// Tokens kept before and after the maximum of an example.
    public var windowBefore: Int, windowAfter: Int
    /// A unit fires on a token when its activation is above this.
    public var threshold: Float
    /// The histogram's fixed log-spaced bins.
    public var bins: HistogramBins
    /// Random examples kept per activation band (an octave of the histogram) and unit.
    public var samplesPerBand: Int
    /// Seed of the example sampling (a hash of unit, context and position: the same examples whatever the batching).
    public var seed: UInt64
    /// Tokens listed per sign in a unit's logit effects.
    public var logitEffects: Int

    /// Defaults as sae_dashboard uses them: 20 top contexts, a window of 16 tokens before and 8 after.
    public init(batchSize: Int = 8, topK: Int = 20, windowBefore: Int = 16, windowAfter: Int = 8, threshold: Float = 0,
                bins: HistogramBins = HistogramBins(), samplesPerBand: Int = 2, seed: UInt64 = 0, logitEffects: Int = 10) {
        self.batchSize = batchSize
        self.topK = topK
        self.windowBefore = windowBefore
        self.windowAfter = windowAfter
        self.threshold = threshold
        self.bins = bins
        self.samplesPerBand = samplesPerBand
        self.seed = seed
        self.logitEffects = logitEffects
    }

    /// Tokens in a full window.
    public var windowLength: Int { windowBefore + 1 + windowAfter }

    /// Throws `ScanError.invalidOption` naming the first option out of range.
    public func validate() throws {
        if batchSize < 1 { throw ScanError.invalidOption("batch size \(batchSize) must be at least 1") }
        if topK < 1 { throw ScanError.invalidOption("top-k \(topK) must be at least 1") }
        if windowBefore < 0 || windowAfter < 0 { throw ScanError.invalidOption("window sizes must not be negative") }
        if !threshold.isFinite { throw ScanError.invalidOption("threshold \(threshold) must be finite") }
        if samplesPerBand < 0 { throw ScanError.invalidOption("samples per band must not be negative") }
        if logitEffects < 0 { throw ScanError.invalidOption("logit effects count must not be negative") }
        try bins.validate()
    }
}
