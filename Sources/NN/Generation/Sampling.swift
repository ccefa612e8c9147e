import Foundation

/// How the next token is drawn from the last position's logits, following TransformerLens's `sample_logits`.
public struct SamplingOptions: Sendable, Equatable {
    /// 0 picks the most likely token (greedy); otherwise logits are divided by it before sampling.
    public var temperature: Float
    /// Sample only among the `topK` most likely tokens.
    public var topK: Int?
    /// Sample only among the most likely tokens whose probabilities first reach `topP` (nucleus sampling);
    /// ignored when `topK` is set, as in TransformerLens.
    public var topP: Float?

    /// Sampling with the given temperature and optional top-k / top-p filtering.
    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
    }

    /// Always the most likely token.
    public static let greedy = SamplingOptions(temperature: 0)

    /// Throws `ForwardError.invalidInput` for a negative temperature, `topK < 1` or `topP` outside `(0, 1]`.
    public func validate() throws {
        guard temperature >= 0, temperature.isFinite else {
            throw ForwardError.invalidInput("temperature must be ≥ 0")
        }
        if let topK, topK < 1 { throw ForwardError.invalidInput("top-k must be at least 1") }
        if let topP, !(topP > 0 && topP <= 1) { throw ForwardError.invalidInput("top-p must be in (0, 1]") }
    }

    /// The token drawn from one row of logits.
    ///
    /// Greedy: the first index of the maximum. Otherwise `l / T`; top-k keeps logits `≥` the k-th largest;
    /// top-p sorts descending and drops tokens after the cumulative probability first exceeds `p` (keeping at
    /// least one); then a token is drawn from `softmax` of what is left with `generator`.
    public func sample(_ logits: [Float], using generator: inout SeededGenerator) -> Int {
        if temperature == 0 {
            // the first index of the maximum, as torch.argmax
            return logits.indices.max { logits[$0] < logits[$1] || (logits[$0] == logits[$1] && $0 > $1) } ?? 0
        }
        var scaled = logits.map { $0 / temperature }
        if let topK {
            let threshold = scaled.sorted(by: >)[min(topK, scaled.count) - 1]
            for i in scaled.indices where scaled[i] < threshold { scaled[i] = -.infinity }
        } else if let topP {
            let order = scaled.indices.sorted { scaled[$0] > scaled[$1] }
            let probabilities = Self.softmax(order.map { scaled[$0] })
            var cumulative: Float = 0
            for (rank, index) in order.enumerated() {
                if rank > 0, cumulative > topP { scaled[index] = -.infinity }
                cumulative += probabilities[rank]
            }
        }
        let probabilities = Self.softmax(scaled)
        let u = generator.nextUnit()
        var cumulative: Float = 0
        for (i, p) in probabilities.enumerated() {
            cumulative += p
            if u < cumulative { return i }
        }
        return probabilities.lastIndex { $0 > 0 } ?? 0
    }

    /// `exp(x - max) / Σ exp(x - max)`.
    static func softmax(_ x: [Float]) -> [Float] {
        let m = x.max() ?? 0
        let e = x.map { Foundation.exp($0 - m) }
        let total = e.reduce(0, +)
        return e.map { $0 / total }
    }
}
