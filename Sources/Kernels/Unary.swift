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
    /// Strided `out[i*so] = f(x[i*sx])`; contiguous runs are split across cores.
    public static func unary(
        _ op: UnaryOp, _ x: UnsafePointer<Float>, _ sx: Int,
        _ out: UnsafeMutablePointer<Float>, _ so: Int, count: Int
    ) {
        if sx == 1 && so == 1 {
            Parallel.forChunks(count, costPerElement: 8) { start, end in
                for i in start..<end { out[i] = op.apply(x[i]) }
            }
        } else {
            for i in 0..<count { out[i * so] = op.apply(x[i * sx]) }
        }
    }
}
