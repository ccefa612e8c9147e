import Kernels
#if canImport(Glibc)
import Glibc
#endif

/// SplitMix64: reproducible inputs for the kernel tests.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Standard normal by Box–Muller.
    mutating func normal() -> Float {
        let u1 = Double.random(in: Double.leastNonzeroMagnitude..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return Float((-2 * log(u1)).squareRoot() * cos(2 * .pi * u2))
    }

    /// `count` samples of `N(shift, scale²)`.
    mutating func normals(_ count: Int, scale: Float = 1, shift: Float = 0) -> [Float] {
        (0..<count).map { _ in normal() * scale + shift }
    }
}

/// Values where elementary functions change regime or overflow, plus the IEEE specials.
let edgeValues: [Float] = {
    let magnitudes: [Float] = [
        0, .leastNonzeroMagnitude, .leastNormalMagnitude / 1024, .leastNormalMagnitude, 1e-20, 1e-7, 0.1, 0.5, 0.6249999, 0.625, 0.99999994, 1, 1.0000001,
        2, 3.92, 4, 4.5, 9, 9.1, 20, 44, 45, 87.3, 88.72, 88.7228, 88.723, 89, 100, 103, 103.97, 104, 105,
        1e10, 1e30, .greatestFiniteMagnitude, .infinity,
    ]
    return magnitudes.flatMap { [$0, -$0] } + [.nan]
}()

/// The inputs every unary kernel is checked on: edge values, normals at several scales, and a
/// uniform sweep across exp's whole finite range.
func unaryInputs() -> [Float] {
    var rng = TestRandom(seed: 7)
    var values = edgeValues
    for scale: Float in [1e-3, 0.1, 1, 3, 10, 30, 100] { values += rng.normals(3_000, scale: scale) }
    values += (0..<10_000).map { _ in Float.random(in: -106...90, using: &rng) }
    return values
}

/// Runs `body(x, out, count)` on `values` and returns the outputs.
func mapped(_ values: [Float], _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void) -> [Float] {
    var out = [Float](repeating: .nan, count: values.count)
    values.withUnsafeBufferPointer { x in
        out.withUnsafeMutableBufferPointer { o in body(x.baseAddress!, o.baseAddress!, values.count) }
    }
    return out
}

/// Whether `actual` matches `expected`: both NaN, the same infinity, or within `tolerance`.
func matches(_ actual: Float, _ expected: Float, tolerance: Float) -> Bool {
    if actual == expected { return true }
    if expected.isNaN || actual.isNaN { return expected.isNaN && actual.isNaN }
    if expected.isInfinite || actual.isInfinite { return actual == expected }
    return Swift.abs(actual - expected) <= tolerance
}

/// The first index where `matches` fails, described for a failure message, or nil.
func firstMismatch(
    _ actual: [Float], _ expected: [Float], inputs: [Float]? = nil, tolerance: (Int) -> Float
) -> String? {
    guard actual.count == expected.count else { return "count \(actual.count) != \(expected.count)" }
    for i in actual.indices where !matches(actual[i], expected[i], tolerance: tolerance(i)) {
        let x = inputs.map { " for x = \($0[i])" } ?? ""
        return "index \(i)\(x): got \(actual[i]), expected \(expected[i]), tolerance \(tolerance(i))"
    }
    return nil
}

/// The instruction sets this CPU runs: every C kernel is checked on each of them.
let testedSets = InstructionSet.allCases.filter(\.isSupported)

/// Distance in units in the last place between two floats (0 when both are NaN or equal; ordered so that
/// −0 and +0 are adjacent to the smallest subnormals).
func ulpDistance(_ a: Float, _ b: Float) -> Int {
    if a == b || (a.isNaN && b.isNaN) { return 0 }
    if a.isNaN || b.isNaN { return Int.max }
    func ordered(_ x: Float) -> Int {
        let bits = Int(x.bitPattern & 0x7FFF_FFFF)
        return x.sign == .minus ? -bits : bits
    }
    return Swift.abs(ordered(a) - ordered(b))
}
