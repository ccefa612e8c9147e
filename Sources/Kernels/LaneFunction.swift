/// A function applied to each of 16 lanes; `Elementwise.vectorMap` specialises one loop per conformer.
protocol LaneFunction {
    static func apply(_ x: SIMD16<Float>) -> SIMD16<Float>
}

/// The `UnaryOp` lane functions (formulas in `UnaryOp` and `VectorMath`).
enum Lane {
    enum Neg: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.negate(x) }
    }
    enum Abs: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.abs(x) }
    }
    enum Square: LaneFunction { @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { x * x } }
    enum Reciprocal: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { 1 / x }
    }
    enum Sqrt: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { x.squareRoot() }
    }
    enum Rsqrt: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { 1 / x.squareRoot() }
    }
    /// `max(x, 0)`: 0 where x ≤ 0 (so −0 → +0); NaN fails the comparison and passes through.
    enum Relu: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { x.replacing(with: 0, where: x .<= 0) }
    }
    enum Exp: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.exp(x) }
    }
    enum Tanh: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.tanh(x) }
    }
    enum Erf: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.erf(x) }
    }
    enum Sigmoid: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.sigmoid(x) }
    }
    enum Silu: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.silu(x) }
    }
    enum Gelu: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.gelu(x) }
    }
    enum GeluNew: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.geluNew(x) }
    }
    enum GeluFast: LaneFunction {
        @inline(__always) static func apply(_ x: SIMD16<Float>) -> SIMD16<Float> { VectorMath.geluFast(x) }
    }
}
