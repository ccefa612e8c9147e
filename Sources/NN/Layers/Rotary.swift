import Foundation

/// Rotary position embedding: feature pair `i` of a query or key at position `p` turns by `p · f_i`,
/// `f_i = θ^(-2i / rotaryDim)` (rescaled by `ropeScaling`). Pairs are `(i, i + r/2)` (GPT-NeoX, Llama) or
/// `(2i, 2i + 1)` (GPT-J); features past `rotaryDim` pass through.
public struct Rotary: Sendable {
    /// Rotated features per head.
    public let rotaryDim: Int
    /// GPT-J adjacent pairs instead of halves.
    public let adjacentPairs: Bool
    /// `f_i` for `i < rotaryDim / 2`.
    public let inverseFrequencies: [Float]

    /// The rotary embedding `config` describes.
    public init(config: ModelConfig) {
        rotaryDim = config.effectiveRotaryDim
        adjacentPairs = config.rotaryAdjacentPairs
        let base = config.rotaryBase, r = Double(rotaryDim)
        let plain = (0..<(rotaryDim / 2)).map { 1 / Foundation.pow(base, Double(2 * $0) / r) }
        inverseFrequencies = Rotary.rescaled(plain, config.ropeScaling).map { Float($0) }
    }

    /// Applies Llama 3 NTK-by-parts or linear scaling to inverse frequencies (transformers' formulas).
    private static func rescaled(_ inv: [Double], _ scaling: RopeScaling?) -> [Double] {
        switch scaling {
        case nil:
            return inv
        case .linear(let factor):
            return inv.map { $0 / factor }
        case let .llama3(factor, low, high, original):
            let lowWavelength = Double(original) / low, highWavelength = Double(original) / high
            return inv.map { f in
                let wavelength = 2 * Double.pi / f
                if wavelength < highWavelength { return f }
                if wavelength > lowWavelength { return f / factor }
                let smooth = (Double(original) / wavelength - low) / (high - low)
                return (1 - smooth) * f / factor + smooth * f
            }
        }
    }

    /// `cos` and `sin` of `position · f_i` for every position: two `[positions.count, rotaryDim / 2]` tables.
    func angles(positions: [Int]) -> (cos: [Float], sin: [Float]) {
        let half = rotaryDim / 2
        var c = [Float](repeating: 0, count: positions.count * half), s = c
        for (row, p) in positions.enumerated() {
            for i in 0..<half {
                let angle = Float(p) * inverseFrequencies[i]
                c[row * half + i] = Foundation.cos(angle)
                s[row * half + i] = Foundation.sin(angle)
            }
        }
        return (c, s)
    }

    /// TransformerLens's `rotary_cos` / `rotary_sin` rows for `positions`: `[positions.count, rotaryDim]`, each
    /// angle repeated for both features of its pair (`[a0 … a_{r/2-1}, a0 … a_{r/2-1}]` for halves,
    /// `[a0, a0, a1, a1, …]` for adjacent pairs).
    public func tables(positions: [Int]) -> (cos: Tensor, sin: Tensor) {
        let (c, s) = angles(positions: positions)
        let half = rotaryDim / 2
        func expand(_ table: [Float]) -> Tensor {
            let rows = Tensor(table, shape: [positions.count, half, 1])
            let pairs = adjacentPairs ? rows.expanded(to: [positions.count, half, 2])
                : rows.permuted([0, 2, 1]).expanded(to: [positions.count, 2, half])
            return pairs.reshaped([positions.count, rotaryDim])
        }
        return (expand(c), expand(s))
    }
}

extension Rotary {
    /// Rotates queries or keys `x [batch, pos, heads, d_head]` with the per-`(batch, pos)` tables `cos`, `sin`
    /// (`[batch, pos, 1, rotaryDim/2]`, from `angles`); returns a contiguous tensor of the same shape.
    func apply(_ x: Tensor, cos: Tensor, sin: Tensor) -> Tensor {
        x.applyingRotary(cos: cos, sin: sin, rotaryDim: rotaryDim, adjacentPairs: adjacentPairs)
    }
}
