/// Element encodings found in tensor files, and their conversion into tensor storage.
///
/// Types with a matching `DType` are copied bit for bit; the others are converted:
/// float64 -> float32; bool -> float32 (0 or 1, like comparisons); int8/int16/uint8/uint16 -> int32;
/// uint32/uint64 -> int64 (a uint64 above `Int64.max` is an error).
enum FileScalar: Sendable, Equatable {
    case float16, bfloat16, float32, float64
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case bool

    /// Bytes per element in the file.
    var byteCount: Int {
        switch self {
        case .int8, .uint8, .bool: return 1
        case .float16, .bfloat16, .int16, .uint16: return 2
        case .float32, .int32, .uint32: return 4
        case .float64, .int64, .uint64: return 8
        }
    }

    /// The storage type of the decoded tensor.
    var target: DType {
        switch self {
        case .float16: return .float16
        case .bfloat16: return .bfloat16
        case .float32, .float64, .bool: return .float32
        case .int8, .int16, .int32, .uint8, .uint16: return .int32
        case .int64, .uint32, .uint64: return .int64
        }
    }

    /// The file encoding of a tensor of `dtype`.
    init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .float32
        case .float16: self = .float16
        case .bfloat16: self = .bfloat16
        case .int32: self = .int32
        case .int64: self = .int64
        }
    }

    /// Decodes `count` elements from `bytes` (exactly `count * byteCount` of them, checked by
    /// the caller) into fresh contiguous storage; `bigEndian` swaps each element's bytes.
    /// Throws only for a uint64 value that does not fit in int64, naming `path`, `name` and the element.
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int, bigEndian: Bool, path: String, name: String)
        throws -> TensorStorage {
        ensure(bytes.count == count * byteCount, "decode: \(bytes.count) bytes for \(count) elements")
        let out = try TensorStorage.checked(dtype: target, count: count, what: "\(path): \(name)")
        if !bigEndian && FileScalar(target) == self {
            if count > 0 { out.base.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
            return out
        }
        for i in 0..<count {
            let at = i * byteCount
            switch self {
            case .float16, .bfloat16: out.base.storeBytes(of: load(bytes, at, UInt16.self, bigEndian),
                                                          toByteOffset: i * 2, as: UInt16.self)
            case .float32, .int32: out.base.storeBytes(of: load(bytes, at, UInt32.self, bigEndian),
                                                       toByteOffset: i * 4, as: UInt32.self)
            case .int64: out.base.storeBytes(of: load(bytes, at, UInt64.self, bigEndian),
                                             toByteOffset: i * 8, as: UInt64.self)
            case .float64: out.setFloat(Float(Double(bitPattern: load(bytes, at, UInt64.self, bigEndian))), at: i)
            case .bool: out.setFloat(bytes[at] == 0 ? 0 : 1, at: i)
            case .int16: out.setInt(Int(Int16(bitPattern: load(bytes, at, UInt16.self, bigEndian))), at: i)
            case .int8: out.setInt(Int(Int8(bitPattern: bytes[at])), at: i)
            case .uint8: out.setInt(Int(bytes[at]), at: i)
            case .uint16: out.setInt(Int(load(bytes, at, UInt16.self, bigEndian)), at: i)
            case .uint32: out.setInt(Int(load(bytes, at, UInt32.self, bigEndian)), at: i)
            case .uint64:
                let v = load(bytes, at, UInt64.self, bigEndian)
                guard v <= UInt64(Int64.max) else {
                    throw TensorError.invalidFile(
                        path: path, reason: "\(name): uint64 element \(i) = \(v) does not fit in int64")
                }
                out.setInt(Int(v), at: i)
            }
        }
        return out
    }

    /// Raw element bits at byte `offset`, in host order.
    private func load<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _: T.Type,
                                            _ bigEndian: Bool) -> T {
        let raw = bytes.loadUnaligned(fromByteOffset: offset, as: T.self)
        return bigEndian ? T(bigEndian: raw) : T(littleEndian: raw)
    }
}
