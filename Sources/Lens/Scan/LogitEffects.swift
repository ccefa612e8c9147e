/// The tokens a unit's output direction pushes up and down when read directly through the unembedding:
/// `direction · W_U` (sae_dashboard's logit table; with processed weights the final norm is folded into `W_U`).
public struct LogitEffects: Sendable, Equatable, Codable {
    /// One token and its logit change per unit of activation.
    public struct Entry: Sendable, Equatable, Codable {
        /// Token id.
        public var token: Int
        /// `direction · W_U[:, token]`.
        public var value: Float

        /// An entry.
        public init(token: Int, value: Float) { (self.token, self.value) = (token, value) }
    }

    /// Most boosted tokens, largest first.
    public var boosted: [Entry]
    /// Most suppressed tokens, most negative first.
    public var suppressed: [Entry]

    /// Effects from explicit lists.
    public init(boosted: [Entry], suppressed: [Entry]) { (self.boosted, self.suppressed) = (boosted, suppressed) }

    /// The top and bottom `count` tokens of every row of `directions · W_U` (`directions` `[units, d_model]`),
    /// computed `rowsPerChunk` units at a time so memory stays `rowsPerChunk × d_vocab`.
    public static func compute(directions: Tensor, unembedding W_U: Tensor, count: Int, rowsPerChunk: Int = 256) -> [LogitEffects] {
        let units = directions.shape[0], k = Swift.min(count, W_U.shape[1])
        guard k > 0 else { return Array(repeating: LogitEffects(boosted: [], suppressed: []), count: units) }
        var effects: [LogitEffects] = []
        effects.reserveCapacity(units)
        for start in stride(from: 0, to: units, by: rowsPerChunk) {
            let end = Swift.min(units, start + rowsPerChunk)
            let logits = directions[start..<end].matmul(W_U)
            let (upValues, upIds) = logits.topk(k, axis: -1)
            let (downValues, downIds) = logits.topk(k, axis: -1, largest: false)
            let (uv, ui, dv, di) = (upValues.scalars, upIds.intScalars, downValues.scalars, downIds.intScalars)
            for r in 0..<(end - start) {
                let row = (r * k)..<((r + 1) * k)
                effects.append(LogitEffects(boosted: row.map { Entry(token: ui[$0], value: uv[$0]) },
                                            suppressed: row.map { Entry(token: di[$0], value: dv[$0]) }))
            }
        }
        return effects
    }
}
