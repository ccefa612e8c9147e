/// Factories: constant tensors, ranges and seeded random tensors.
extension Tensor {
    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(zeros: shape) }
    /// Ones of `shape`.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }
    /// `value` everywhere in `shape`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        let t = Tensor(zeros: shape)
        t.storage.floats.update(repeating: value, count: t.count)
        return t
    }
    /// Zeros with the shape of `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// `start, start+step, ...` below `end` (Float32, like `torch.arange`).
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        ensure(step != 0, "arange: step is zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step }, shape: [n])
    }

    /// `0, 1, ..., n-1`.
    public static func arange(_ n: Int) -> Tensor { arange(0, Float(n)) }

    /// The `n × n` identity matrix.
    public static func eye(_ n: Int) -> Tensor {
        let t = Tensor(zeros: [n, n])
        for i in 0..<n { t.storage.floats[i * n + i] = 1 }
        return t
    }

    /// Samples from `N(mean, std²)`, reproducible for a given `seed`.
    public static func randomNormal(_ shape: [Int], mean: Float = 0, std: Float = 1, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor(zeros: shape)
        for i in 0..<t.count { t.storage.floats[i] = mean + std * rng.nextNormal() }
        return t
    }

    /// Samples from `U[low, high)`, reproducible for a given `seed`.
    public static func randomUniform(_ shape: [Int], low: Float = 0, high: Float = 1, seed: UInt64) -> Tensor {
        var rng = SeededGenerator(seed: seed)
        let t = Tensor(zeros: shape)
        for i in 0..<t.count { t.storage.floats[i] = low + (high - low) * rng.nextUnit() }
        return t
    }
}

/// A small, fast, seedable generator (SplitMix64) for reproducible tensors and sampling.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is fixed by `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 24 random bits.
    public mutating func nextUnit() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Standard normal by Box–Muller.
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), .leastNonzeroMagnitude)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * .pi * u2))
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#endif
