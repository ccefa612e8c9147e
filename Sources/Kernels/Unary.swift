#if canImport(Glibc)
import Glibc
#endif
internal import CKernels

/// A unary elementwise function on Float32, with the formula each kernel implements.
///
/// Accuracy of the vector kernels against the correctly rounded result, measured over every Float
/// (`kernel-accuracy` in Benchmarks/, the same on every instruction set): exp, tanh and erf within 1 ulp,
/// sigmoid within 2 ulp (where the result is a normal float); silu and the GELUs within
/// `1.3e-7 · max(|f(x)|, |x|)` (their Float formulas cancel for negative x, as PyTorch's do, so the error is
/// small against x but not against the tiny result there). ±inf and NaN give libm's results; exp of large
/// negative x rounds to the subnormal once. The other functions are exact (neg, abs, relu, ×, ÷, √) or
/// use libm (log, sin, cos).
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

    /// Contiguous `out[i] = f(x[i])` on the calling thread, through the C kernel (`sl_unary`) on
    /// `InstructionSet.active`; log, sin and cos use the scalar definition. `out` may alias `x`.
    public static func unaryContiguous(
        _ op: UnaryOp, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        if let code = op.kernelCode {
            sl_unary(InstructionSet.active.rawValue, code, x, out, count)
        } else {
            for i in 0..<count { out[i] = op.apply(x[i]) }
        }
    }

    /// Gated product (SwiGLU, GeGLU): `out[i] = f(gate[i]) · up[i]` for `i < count`, in one pass, split across
    /// cores; each element rounds as `f(gate[i])` then the product. `op` must have a vector kernel (not
    /// log, sin, cos). `out` may alias either input.
    public static func gated(
        _ op: UnaryOp, gate: UnsafePointer<Float>, up: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        guard let code = op.kernelCode else { preconditionFailure("Elementwise.gated: \(op) has no vector kernel") }
        Parallel.forChunks(count, costPerElement: op.cost) { start, end in
            sl_gated(InstructionSet.active.rawValue, code, gate + start, up + start, out + start, end - start)
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

    /// The `sl_unary_op` of the C kernels, or nil for the functions computed by the scalar definition.
    var kernelCode: Int32? {
        switch self {
        case .neg: return Int32(SL_NEG.rawValue)
        case .abs: return Int32(SL_ABS.rawValue)
        case .square: return Int32(SL_SQUARE.rawValue)
        case .reciprocal: return Int32(SL_RECIPROCAL.rawValue)
        case .sqrt: return Int32(SL_SQRT.rawValue)
        case .rsqrt: return Int32(SL_RSQRT.rawValue)
        case .relu: return Int32(SL_RELU.rawValue)
        case .exp: return Int32(SL_EXP.rawValue)
        case .tanh: return Int32(SL_TANH.rawValue)
        case .erf: return Int32(SL_ERF.rawValue)
        case .sigmoid: return Int32(SL_SIGMOID.rawValue)
        case .silu: return Int32(SL_SILU.rawValue)
        case .gelu: return Int32(SL_GELU.rawValue)
        case .geluNew: return Int32(SL_GELU_NEW.rawValue)
        case .geluFast: return Int32(SL_GELU_FAST.rawValue)
        case .log, .sin, .cos: return nil
        }
    }
}
