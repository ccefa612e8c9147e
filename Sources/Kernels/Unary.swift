#if canImport(Glibc)
import Glibc
#endif

/// A unary elementwise function on Float32, with the formula each kernel implements.
public enum UnaryOp: String, Sendable, CaseIterable {
    case neg, abs, square, reciprocal, exp, log, sqrt, rsqrt, tanh, erf, sin, cos
    /// `max(x, 0)`
    case relu
    /// `1 / (1 + e^-x)`
    case sigmoid
    /// `x · sigmoid(x)`
    case silu
    /// `0.5 x (1 + erf(x / √2))` (PyTorch `gelu`)
    case gelu
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` (`gelu_new`, `gelu_pytorch_tanh`)
    case geluNew
    /// `0.5 x (1 + tanh(0.7978845608 x (1 + 0.044715 x²)))` (`gelu_fast`)
    case geluFast

    /// The scalar definition: the reference each vector kernel is tested against.
    @inlinable
    public func apply(_ x: Float) -> Float {
        switch self {
        case .neg: return -x
        case .abs: return Swift.abs(x)
        case .square: return x * x
        case .reciprocal: return 1 / x
        case .exp: return expf(x)
        case .log: return logf(x)
        case .sqrt: return sqrtf(x)
        case .rsqrt: return 1 / sqrtf(x)
        case .tanh: return tanhf(x)
        case .erf: return erff(x)
        case .sin: return sinf(x)
        case .cos: return cosf(x)
        case .relu: return x > 0 ? x : (x.isNaN ? x : 0)
        case .sigmoid: return 1 / (1 + expf(-x))
        case .silu: return x / (1 + expf(-x))
        case .gelu: return 0.5 * x * (1 + erff(x * 0.70710678118654752))
        case .geluNew:
            return 0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
        case .geluFast:
            return 0.5 * x * (1 + tanhf(x * 0.7978845608 * (1 + 0.044715 * x * x)))
        }
    }
}

extension Elementwise {
    /// Strided `out[i*so] = f(x[i*sx])`; contiguous runs use the SIMD kernels, split across cores.
    public static func unary(
        _ op: UnaryOp, _ x: UnsafePointer<Float>, _ sx: Int,
        _ out: UnsafeMutablePointer<Float>, _ so: Int, count: Int
    ) {
        if sx == 1 && so == 1 {
            Parallel.forChunks(count, costPerElement: op.cost) { start, end in
                unaryContiguous(op, x + start, out + start, count: end - start)
            }
        } else {
            for i in 0..<count { out[i * so] = op.apply(x[i * sx]) }
        }
    }

    /// Contiguous `out[i] = f(x[i])` on the calling thread: 16 lanes at a time through `VectorMath`
    /// (log, sin and cos use the scalar definition).
    public static func unaryContiguous(
        _ op: UnaryOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        switch op {
        case .neg: vectorMap(Lane.Neg.self, x, out, count)
        case .abs: vectorMap(Lane.Abs.self, x, out, count)
        case .square: vectorMap(Lane.Square.self, x, out, count)
        case .reciprocal: vectorMap(Lane.Reciprocal.self, x, out, count)
        case .sqrt: vectorMap(Lane.Sqrt.self, x, out, count)
        case .rsqrt: vectorMap(Lane.Rsqrt.self, x, out, count)
        case .relu: vectorMap(Lane.Relu.self, x, out, count)
        case .exp: vectorMap(Lane.Exp.self, x, out, count)
        case .tanh: vectorMap(Lane.Tanh.self, x, out, count)
        case .erf: vectorMap(Lane.Erf.self, x, out, count)
        case .sigmoid: vectorMap(Lane.Sigmoid.self, x, out, count)
        case .silu: vectorMap(Lane.Silu.self, x, out, count)
        case .gelu: vectorMap(Lane.Gelu.self, x, out, count)
        case .geluNew: vectorMap(Lane.GeluNew.self, x, out, count)
        case .geluFast: vectorMap(Lane.GeluFast.self, x, out, count)
        case .log, .sin, .cos:
            for i in 0..<count { out[i] = op.apply(x[i]) }
        }
    }

    /// `out[i] = F(x[i])` 16 lanes at a time (one specialised loop per `F`); the tail goes through `F`
    /// on a zero-padded vector, so every element sees the same arithmetic.
    static func vectorMap<F: LaneFunction>(
        _ f: F.Type, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int
    ) {
        var i = 0
        while i + 16 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: F.apply(v), as: SIMD16<Float>.self)
            i += 16
        }
        let rest = count - i
        if rest > 0 {
            var v = SIMD16<Float>()
            for k in 0..<rest { v[k] = x[i + k] }
            let y = F.apply(v)
            for k in 0..<rest { out[i + k] = y[k] }
        }
    }
}

extension UnaryOp {
    /// Relative cost per element, used to decide when a contiguous run is worth splitting across cores.
    var cost: Int {
        switch self {
        case .neg, .abs, .square, .relu: return 1
        case .reciprocal, .sqrt, .rsqrt: return 2
        default: return 8
        }
    }
}
