/// One example of a unit's activation: a window of a context around a token, with the unit's activation on
/// every token of the window.
public struct ActivationExample: Sendable, Equatable, Codable {
    /// The activation at the example's token (for a top example, the largest in its context).
    public var value: Float
    /// The context's index in the corpus (its scan order).
    public var context: Int
    /// The token's position in the context.
    public var position: Int
    /// Position of the window's first token.
    public var windowStart: Int
    /// Token ids of the window.
    public var tokens: [Int]
    /// The unit's activation on each token of the window.
    public var activations: [Float]

    /// An example.
    public init(value: Float, context: Int, position: Int, windowStart: Int, tokens: [Int], activations: [Float]) {
        (self.value, self.context, self.position, self.windowStart) = (value, context, position, windowStart)
        (self.tokens, self.activations) = (tokens, activations)
    }

    /// Whether this example ranks before `other` in a top list: larger value, then lower context.
    public func ranksBefore(_ other: ActivationExample) -> Bool {
        value != other.value ? value > other.value : context < other.context
    }
}

/// A randomly sampled example of one activation band (an octave of the histogram). `priority` is a hash of unit,
/// context and position; a band keeps the examples of lowest priority, so any split of the corpus keeps the same.
public struct BandSample: Sendable, Equatable, Codable {
    /// The band (see `HistogramBins.bandEdges`).
    public var band: Int
    /// The sampling priority (lower is kept).
    public var priority: UInt64
    /// The example.
    public var example: ActivationExample

    /// A sample.
    public init(band: Int, priority: UInt64, example: ActivationExample) {
        (self.band, self.priority, self.example) = (band, priority, example)
    }
}
