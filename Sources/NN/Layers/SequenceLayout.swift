/// Which positions a forward pass computes and which keys each query may see.
///
/// `length` new positions follow `past` cached ones. With an attention mask (`[batch, past + length]`,
/// 1 for real tokens, 0 for padding) positions follow TransformerLens: `position = cumsum(mask) - 1`,
/// clamped at 0, so a left-padded prompt gets the same positions as when run alone.
struct SequenceLayout {
    /// Number of sequences.
    let batch: Int
    /// Positions computed in this pass.
    let length: Int
    /// Positions already in the key/value cache.
    let past: Int
    /// `[batch, past + length]` key visibility (1 = real token), or nil when nothing is padded.
    let keyMask: [UInt8]?
    /// `[batch, length]` position ids of the new tokens.
    let positions: [Int]

    /// Keys per query: cached plus new.
    var keyLength: Int { past + length }

    /// A layout for `length` new positions after `past` cached ones, with an optional full-length mask.
    init(batch: Int, length: Int, past: Int, keyMask: [UInt8]?) {
        self.batch = batch
        self.length = length
        self.past = past
        self.keyMask = keyMask
        var positions = [Int](repeating: 0, count: batch * length)
        let total = past + length
        for b in 0..<batch {
            var seen = 0
            for j in 0..<total {
                if let keyMask { seen += Int(keyMask[b * total + j]) } else { seen += 1 }
                if j >= past { positions[b * length + j - past] = max(seen - 1, 0) }
            }
        }
        self.positions = positions
    }

    /// `[batch, length]` true where a new token is padding (nil without a mask).
    var padding: [Bool]? {
        guard let keyMask else { return nil }
        let total = keyLength
        return (0..<(batch * length)).map { keyMask[($0 / length) * total + past + $0 % length] == 0 }
    }
}
