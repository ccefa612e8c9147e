import Kernels

/// The element type of a tensor's storage. Arithmetic always runs in Float32:
/// Float16 and BFloat16 storage is converted on read, integer storage holds token ids.
public enum DType: String, Sendable, CaseIterable, CustomStringConvertible {
    case float32, float16, bfloat16, int32, int64

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float32, .int32: return 4
        case .float16, .bfloat16: return 2
        case .int64: return 8
        }
    }

    /// Whether the type holds integers.
    public var isInteger: Bool { self == .int32 || self == .int64 }

    public var description: String { rawValue }
}

/// Bit-level conversions between Float32 and the 16-bit float formats.
enum HalfBits {
    /// BFloat16 is the top 16 bits of a Float32.
    @inline(__always) static func bfloat16ToFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Round-to-nearest-even Float32 -> BFloat16 (NaN stays NaN).
    @inline(__always) static func floatToBFloat16(_ x: Float) -> UInt16 {
        if x.isNaN { return 0x7FC0 }
        let bits = x.bitPattern
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }

    @inline(__always) static func float16ToFloat(_ bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    @inline(__always) static func floatToFloat16(_ x: Float) -> UInt16 {
        Float16(x).bitPattern
    }
}

/// A contiguous conversion between Float32 and a 16-bit float dtype, run by `HalfConversion` (vectorised,
/// split across cores); widening is exact and narrowing rounds to nearest even, as `setFloat` does.
enum HalfKernel {
    case widen(HalfFormat), narrow(HalfFormat)

    /// The conversion from `source` to `target`, or nil when it is not Float32 to or from a 16-bit float.
    init?(from source: DType, to target: DType) {
        switch (source, target) {
        case (.float16, .float32): self = .widen(.float16)
        case (.bfloat16, .float32): self = .widen(.bfloat16)
        case (.float32, .float16): self = .narrow(.float16)
        case (.float32, .bfloat16): self = .narrow(.bfloat16)
        default: return nil
        }
    }

    /// Converts `count` elements from element `srcOffset` of `src` to element `dstOffset` of `dst`.
    func convert(_ src: UnsafeMutableRawPointer, _ srcOffset: Int, _ dst: UnsafeMutableRawPointer, _ dstOffset: Int,
                 count: Int) {
        switch self {
        case .widen(let format):
            HalfConversion.widen(src.assumingMemoryBound(to: UInt16.self) + srcOffset, format,
                                 to: dst.assumingMemoryBound(to: Float.self) + dstOffset, count: count)
        case .narrow(let format):
            HalfConversion.narrow(src.assumingMemoryBound(to: Float.self) + srcOffset,
                                  to: dst.assumingMemoryBound(to: UInt16.self) + dstOffset, format, count: count)
        }
    }
}
