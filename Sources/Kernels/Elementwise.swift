#if canImport(Glibc)
import Glibc
#endif

/// A binary elementwise operation on Float32.
public enum BinaryOp: String, Sendable, CaseIterable {
    case add, sub, mul, div, maximum, minimum, pow

    /// The scalar definition, used by the strided paths and as the test reference.
    @inlinable
    public func apply(_ a: Float, _ b: Float) -> Float {
        switch self {
        case .add: return a + b
        case .sub: return a - b
        case .mul: return a * b
        case .div: return a / b
        case .maximum: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .minimum: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        case .pow: return powf(a, b)
        }
    }
}

/// Raw-pointer elementwise kernels: `out[i] = a[i] ∘ b[i]`.
public enum Elementwise {
    /// Contiguous `out[i] = a[i] ∘ b[i]` for `i < count`; `out` may alias `a` or `b`.
    public static func binary(
        _ op: BinaryOp, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, count: Int
    ) {
        Parallel.forChunks(count) { start, end in
            switch op {
            case .add: simdLoop(a, b, out, start, end) { $0 + $1 } scalar: { $0 + $1 }
            case .sub: simdLoop(a, b, out, start, end) { $0 - $1 } scalar: { $0 - $1 }
            case .mul: simdLoop(a, b, out, start, end) { $0 * $1 } scalar: { $0 * $1 }
            case .div: simdLoop(a, b, out, start, end) { $0 / $1 } scalar: { $0 / $1 }
            default:
                for i in start..<end { out[i] = op.apply(a[i], b[i]) }
            }
        }
    }

    /// Strided `out[i*so] = a[i*sa] ∘ b[i*sb]`; a stride of 0 broadcasts one value.
    public static func binaryStrided(
        _ op: BinaryOp, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
        _ out: UnsafeMutablePointer<Float>, _ so: Int, count: Int
    ) {
        if sa == 1 && sb == 1 && so == 1 {
            binary(op, a, b, out, count: count)
            return
        }
        if sa == 1 && sb == 0 && so == 1 {
            let v = b[0], splat = SIMD16<Float>(repeating: b[0])
            switch op {
            case .add: return splatLoop(a, out, count) { $0 + splat } scalar: { $0 + v }
            case .sub: return splatLoop(a, out, count) { $0 - splat } scalar: { $0 - v }
            case .mul: return splatLoop(a, out, count) { $0 * splat } scalar: { $0 * v }
            case .div: return splatLoop(a, out, count) { $0 / splat } scalar: { $0 / v }
            default: break
            }
        }
        switch op {
        case .add: for i in 0..<count { out[i * so] = a[i * sa] + b[i * sb] }
        case .sub: for i in 0..<count { out[i * so] = a[i * sa] - b[i * sb] }
        case .mul: for i in 0..<count { out[i * so] = a[i * sa] * b[i * sb] }
        case .div: for i in 0..<count { out[i * so] = a[i * sa] / b[i * sb] }
        default: for i in 0..<count { out[i * so] = op.apply(a[i * sa], b[i * sb]) }
        }
    }

    /// `out[i] = f(a[i])` for `i < count`, sixteen lanes at a time (a row against one broadcast value).
    @inline(__always)
    static func splatLoop(
        _ a: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
        _ vector: (SIMD16<Float>) -> SIMD16<Float>, scalar: (Float) -> Float
    ) {
        var i = 0
        while i + 16 <= count {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: vector(va), as: SIMD16<Float>.self)
            i += 16
        }
        while i < count {
            out[i] = scalar(a[i])
            i += 1
        }
    }

    @inline(__always)
    static func simdLoop(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
        _ start: Int, _ end: Int,
        _ vector: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>,
        scalar: (Float, Float) -> Float
    ) {
        var i = start
        while i + 16 <= end {
            let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
            let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD16<Float>.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: vector(va, vb), as: SIMD16<Float>.self)
            i += 16
        }
        while i < end {
            out[i] = scalar(a[i], b[i])
            i += 1
        }
    }
}
