import Foundation
@testable import NN
import Testing

/// One finite-difference check per VJP formula. Nonlinear row kernels run in Double against central differences
/// of their forward formula written in Double (step 1e-5, tolerance 1e-7 relative to the largest gradient:
/// truncation ~h² and rounding ~1e-16/h are both far below it). The linear maps (weight products, rotary, the
/// attention contractions) are checked in Float32 by their adjoint identity ⟨f(x), g⟩ = ⟨x, f*(g)⟩, exact up to
/// rounding, within 1e-5 relative.
@Suite struct BackwardKernelTests {
    /// Deterministic values in [-2, 2).
    static func values(_ count: Int, seed: UInt64) -> [Double] {
        var rng = SplitMix(seed)
        return (0..<count).map { _ in rng.next() * 4 - 2 }
    }

    /// Central differences of `f` at `x`, one coordinate at a time.
    static func numericGradient(_ x: [Double], _ f: ([Double]) -> Double) -> [Double] {
        let h = 1e-5
        return x.indices.map { i in
            var up = x, down = x
            up[i] += h
            down[i] -= h
            return (f(up) - f(down)) / (2 * h)
        }
    }

    static func expectClose(_ a: [Double], _ b: [Double], _ label: String, tolerance: Double = 1e-7) {
        let scale = max(1, b.map(Swift.abs).max() ?? 0)
        let error = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
        #expect(error / scale < tolerance, "\(label): error \(error)")
    }

    /// Each activation's derivative equals the finite difference of its formula (Double), and the formula at
    /// Float equals the forward kernels within 2e-6.
    @Test(arguments: ActivationFunction.allCases)
    func activationDerivative(act: ActivationFunction) {
        let xs = Self.values(64, seed: 7) + [0.5, -0.5, 3, -3]
        for x in xs where act != .relu || Swift.abs(x) > 1e-3 {
            let numeric = (act.value(x + 1e-5) - act.value(x - 1e-5)) / 2e-5
            #expect(Swift.abs(act.derivative(x) - numeric) < 1e-8, "\(act) at \(x)")
        }
        let floats = Tensor(xs.map(Float.init), shape: [xs.count])
        let kernel = act.apply(floats).scalars
        for (i, x) in xs.enumerated() {
            #expect(Swift.abs(act.value(Float(x)) - kernel[i]) < 2e-6, "\(act) forward at \(x)")
        }
    }

    /// LayerNorm and RMSNorm backward (input gradient and hook_scale gradient) against the finite difference of
    /// `Σ g · n(x)` with `n = c / √(mean(c²) + eps)`.
    @Test(arguments: [true, false])
    func normalizationBackward(centred: Bool) {
        let count = 12, eps = 1e-5
        let x = Self.values(count, seed: 11), g = Self.values(count, seed: 12)
        func forward(_ x: [Double]) -> (n: [Double], s: Double) {
            let mean = centred ? x.reduce(0, +) / Double(count) : 0
            let c = x.map { $0 - mean }
            let s = (c.map { $0 * $0 }.reduce(0, +) / Double(count) + eps).squareRoot()
            return (c.map { $0 / s }, s)
        }
        let (n, s) = forward(x)
        let gs = NormalizationBackward.scaleGradient(g, n, scale: s, count: count)
        var gx = [Double](repeating: 0, count: count)
        NormalizationBackward.inputGradient(g, n, scale: s, scaleGradient: gs, count: count, centred: centred, into: &gx)
        let numeric = Self.numericGradient(x) { xs in zip(forward(xs).n, g).map(*).reduce(0, +) }
        Self.expectClose(gx, numeric, "input gradient")
        // hook_scale: ∂/∂s of Σ g · c / s with c held fixed.
        let c = n.map { $0 * s }
        let numericScale = (zip(c, g).map { $0 * $1 / (s + 1e-6) }.reduce(0, +)
            - zip(c, g).map { $0 * $1 / (s - 1e-6) }.reduce(0, +)) / 2e-6
        #expect(Swift.abs(gs - numericScale) < 1e-6 * max(1, Swift.abs(numericScale)))
    }

    /// Softmax backward against the finite difference of `Σ g · softmax(s)`.
    @Test func softmaxBackward() {
        let s = Self.values(9, seed: 21), g = Self.values(9, seed: 22)
        func softmax(_ s: [Double]) -> [Double] {
            let m = s.max()!, e = s.map { Foundation.exp($0 - m) }, total = e.reduce(0, +)
            return e.map { $0 / total }
        }
        var out = [Double](repeating: 0, count: 9)
        AttentionBackward.softmaxRow(softmax(s), g, count: 9, into: &out)
        Self.expectClose(out, Self.numericGradient(s) { zip(softmax($0), g).map(*).reduce(0, +) }, "softmax")
    }

    /// The score transform `cap · tanh(r / (divisor · cap))` (and `r / divisor`) backward; with a cap, hidden keys
    /// (score −inf) get 0 (without one the softmax backward already gives them 0).
    @Test(arguments: [Double?.none, 1.5])
    func scoreBackward(cap: Double?) {
        let r = Self.values(8, seed: 31).map { $0 * 3 }, g = Self.values(8, seed: 32), divisor = 2.5
        func transform(_ r: [Double]) -> [Double] { r.map { v in cap.map { $0 * Foundation.tanh(v / divisor / $0) } ?? v / divisor } }
        var scores = transform(r)
        if cap != nil { scores[7] = -.infinity }
        var out = [Double](repeating: 0, count: 8)
        AttentionBackward.scoreRow(g, scores: cap == nil ? nil : scores, divisor: divisor, cap: cap, count: 8, into: &out)
        var numeric = Self.numericGradient(r) { zip(transform($0), g).map(*).reduce(0, +) }
        if cap != nil { numeric[7] = 0 }
        Self.expectClose(out, numeric, "scores")
    }

    /// ⟨linear(x, W), g⟩ = ⟨x, linearBackward(g, W)⟩ for a row-major and a transposed weight; the same for the
    /// per-head projection.
    @Test func weightProductAdjoints() {
        let x = Tensor.randomNormal([2, 3, 8], seed: 1), w = Tensor.randomNormal([8, 5], seed: 2)
        let g = Tensor.randomNormal([2, 3, 5], seed: 3)
        for weight in [w, w.T.contiguous().T] {
            Self.expectAdjoint(linear(x, weight, bias: nil), g, x, linearBackward(g, weight), "linear")
        }
        let xh = Tensor.randomNormal([2, 3, 4, 8], seed: 4), wh = Tensor.randomNormal([4, 8, 5], seed: 5)
        let gh = Tensor.randomNormal([2, 3, 4, 5], seed: 6)
        let yh = xh.permuted([0, 2, 1, 3]).matmul(wh).permuted([0, 2, 1, 3])
        Self.expectAdjoint(yh, gh, xh, headLinearBackward(gh, wh), "per-head")
    }

    /// ⟨R(θ)x, g⟩ = ⟨x, R(θ)ᵀg⟩ for half-split and adjacent pairs, partial rotary included.
    @Test(arguments: [false, true])
    func rotaryAdjoint(adjacent: Bool) {
        var config = ModelConfig(dModel: 16, dHead: 8, nHeads: 2, nLayers: 1, nCtx: 16, dVocab: 4, dMLP: 4,
                                 positionalEmbeddingType: .rotary, rotaryDim: 4, rotaryAdjacentPairs: adjacent)
        config.rotaryBase = 100
        let rotary = Rotary(config: config)
        let (c, s) = rotary.angles(positions: [0, 3, 5, 9, 1, 2])
        let cos = Tensor(c, shape: [2, 3, 1, 2]), sin = Tensor(s, shape: [2, 3, 1, 2])
        let x = Tensor.randomNormal([2, 3, 2, 8], seed: 7), g = Tensor.randomNormal([2, 3, 2, 8], seed: 8)
        Self.expectAdjoint(rotary.apply(x, cos: cos, sin: sin), g, x, rotary.backward(g, cos: cos, sin: sin), "rotary")
    }

    static func expectAdjoint(_ y: Tensor, _ g: Tensor, _ x: Tensor, _ gx: Tensor, _ label: String) {
        let left = (y * g).sum().item(), right = (x * gx).sum().item()
        #expect(Swift.abs(left - right) < 1e-5 * max(1, Swift.abs(left)), "\(label): \(left) vs \(right)")
    }
}

/// SplitMix64 in [0, 1).
struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
