import Dispatch
import Foundation
import Kernels

/// Measures the vector kernels' error against the correctly rounded result (the formula in Double, rounded
/// once to Float) over every `STRIDE`-th Float bit pattern (default 1: all 2³² of them), on the instruction set
/// `SWIFTLENS_ISA` selects. Prints, per function, the largest error in ulps where the exact result is a normal
/// float (subnormal results of composite formulas such as `1/(1 + e^{−x})` underflow in any Float evaluation),
/// and the largest error relative to `max(|f(x)|, |x|)` (for the GELUs and SiLU, whose Float formulas cancel
/// for negative x, the error is small against |x| but not against the tiny result).
/// Usage: `SWIFTLENS_ISA=avx2 kernel-accuracy [STRIDE] [OP ...]`.
let arguments = CommandLine.arguments.dropFirst()
let stride = arguments.first.flatMap { UInt64($0) } ?? 1
let names = arguments.dropFirst()

/// Each function's definition in Double.
let references: [(UnaryOp, @Sendable (Double) -> Double)] = [
    (.exp, { Foundation.exp($0) }), (.tanh, { Foundation.tanh($0) }), (.erf, { Foundation.erf($0) }),
    (.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }), (.silu, { $0 / (1 + Foundation.exp(-$0)) }),
    (.gelu, { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
    (.geluNew, { 0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0))) }),
    (.geluFast, { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608 * $0 * (1 + 0.044715 * $0 * $0))) }),
]

/// Ulps between two floats on the ordered integer line (−0 and +0 adjacent to the smallest subnormals).
func ulps(_ a: Float, _ b: Float) -> UInt64 {
    if a == b || (a.isNaN && b.isNaN) { return 0 }
    if a.isNaN || b.isNaN { return .max }
    func ordered(_ x: Float) -> Int64 {
        let bits = Int64(x.bitPattern & 0x7FFF_FFFF)
        return x.sign == .minus ? -bits : bits
    }
    return UInt64((ordered(a) - ordered(b)).magnitude)
}

/// The worst error seen in one slice of the inputs.
struct Worst {
    var ulps: UInt64 = 0, ulpsAt: Float = 0, relative: Double = 0, relativeAt: Float = 0
    mutating func merge(_ o: Worst) {
        if o.ulps > ulps { (ulps, ulpsAt) = (o.ulps, o.ulpsAt) }
        if o.relative > relative { (relative, relativeAt) = (o.relative, o.relativeAt) }
    }
}

/// Per-slice results, written by the worker of each slice.
final class Slices: @unchecked Sendable {
    private var worst: [Worst]
    private let lock = NSLock()
    init(_ count: Int) { worst = [Worst](repeating: Worst(), count: count) }
    func set(_ s: Int, _ w: Worst) { lock.withLock { worst[s] = w } }
    var merged: Worst { lock.withLock { worst.reduce(into: Worst()) { $0.merge($1) } } }
}

let total = (UInt64(1) << 32) / stride
let slices = 256
print("instruction set \(InstructionSet.active), every \(stride) bit pattern (\(total) inputs)")
for (op, exact) in references where names.isEmpty || names.contains(op.rawValue) {
    let results = Slices(slices)
    DispatchQueue.concurrentPerform(iterations: slices) { s in
        let count = Int(total / UInt64(slices))
        var x = [Float](repeating: 0, count: count), y = x
        for i in 0..<count { x[i] = Float(bitPattern: UInt32(truncatingIfNeeded: (UInt64(s * count + i)) * stride)) }
        Elementwise.unaryContiguous(op, x, &y, count: count)
        var worst = Worst()
        for i in 0..<count {
            let r = exact(Double(x[i]))
            if !(abs(Float(r)) < .leastNormalMagnitude) {
                let u = ulps(y[i], Float(r))
                if u > worst.ulps { (worst.ulps, worst.ulpsAt) = (u, x[i]) }
            }
            let scale = max(abs(r), abs(Double(x[i])))
            if scale >= Double(Float.leastNormalMagnitude), r.isFinite, y[i].isFinite, abs(Double(y[i]) - r) / scale > worst.relative {
                (worst.relative, worst.relativeAt) = (abs(Double(y[i]) - r) / scale, x[i])
            }
        }
        results.set(s, worst)
    }
    let worst = results.merged
    print("\(op.rawValue): max \(worst.ulps) ulp (normal results) at x = \(worst.ulpsAt); max |error|/max(|f|, |x|) \(worst.relative) at x = \(worst.relativeAt)")
}
