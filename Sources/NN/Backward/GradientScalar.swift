import Foundation

/// The scalar types the backward kernels are written for: `Float` in the model, `Double` in the
/// finite-difference tests that check each formula.
protocol GradientScalar: BinaryFloatingPoint {
    /// `tanh(x)`.
    static func tanhOf(_ x: Self) -> Self
    /// `e^x`.
    static func expOf(_ x: Self) -> Self
    /// `erf(x)`.
    static func erfOf(_ x: Self) -> Self
}

extension Float: GradientScalar {
    static func tanhOf(_ x: Float) -> Float { Foundation.tanh(x) }
    static func expOf(_ x: Float) -> Float { Foundation.exp(x) }
    static func erfOf(_ x: Float) -> Float { Foundation.erf(x) }
}

extension Double: GradientScalar {
    static func tanhOf(_ x: Double) -> Double { Foundation.tanh(x) }
    static func expOf(_ x: Double) -> Double { Foundation.exp(x) }
    static func erfOf(_ x: Double) -> Double { Foundation.erf(x) }
}
