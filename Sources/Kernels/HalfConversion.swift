internal import CKernels

/// The 16-bit float formats tensors and checkpoints store.
public enum HalfFormat: Sendable, CaseIterable {
    /// IEEE 754 binary16: 5 exponent bits, 10 mantissa bits.
    case float16
    /// bfloat16: the top 16 bits of a Float32 (8 exponent bits, 7 mantissa bits).
    case bfloat16
}

/// Conversion between Float32 and the 16-bit float formats, vectorised (F16C on the AVX builds) and split
/// across cores for large arrays. Widening is exact. Narrowing rounds to nearest even, keeps subnormal halves,
/// overflows to ±inf and keeps NaN a NaN (bfloat16 NaN is `0x7FC0`; float16 NaN keeps its sign and top payload
/// bits): the same bits as `Float16(x)` and as round-to-nearest-even truncation of the Float32 bits.
public enum HalfConversion {
    /// `dst[i] = Float(src[i])` for `i < count`, `src` holding `format` bit patterns.
    public static func widen(
        _ src: UnsafePointer<UInt16>, _ format: HalfFormat, to dst: UnsafeMutablePointer<Float>, count: Int
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(count) { start, end in
            switch format {
            case .float16: sl_f16_to_f32(isa, src + start, dst + start, end - start)
            case .bfloat16: sl_bf16_to_f32(isa, src + start, dst + start, end - start)
            }
        }
    }

    /// `dst[i] = format(src[i])` for `i < count`, rounded to nearest even.
    public static func narrow(
        _ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<UInt16>, _ format: HalfFormat, count: Int
    ) {
        let isa = InstructionSet.active.rawValue
        Parallel.forChunks(count) { start, end in
            switch format {
            case .float16: sl_f32_to_f16(isa, src + start, dst + start, end - start)
            case .bfloat16: sl_f32_to_bf16(isa, src + start, dst + start, end - start)
            }
        }
    }
}
