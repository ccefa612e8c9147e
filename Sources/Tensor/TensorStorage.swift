#if canImport(Glibc)
import Glibc
#endif

/// A flat, typed buffer shared by tensor views. Owned buffers come from `BufferPool.shared`, 64-byte
/// aligned and zero-filled unless asked otherwise; external buffers (memory-mapped files) are kept alive by
/// `owner`.
public final class TensorStorage: @unchecked Sendable {
    /// Element type of the buffer.
    public let dtype: DType
    /// Number of elements.
    public let count: Int
    /// Start of the buffer.
    public let base: UnsafeMutableRawPointer
    private let owner: AnyObject?

    /// Allocates `count` elements of `dtype`, zero-filled unless `zeroed` is false
    /// (for outputs that a kernel overwrites completely).
    public init(dtype: DType, count: Int, zeroed: Bool = true) {
        guard count >= 0, let size = CheckedSize.product([count, dtype.byteCount]) else {
            programmerError("TensorStorage: \(count) elements of \(dtype) is a negative or overflowing size")
        }
        self.dtype = dtype
        self.count = count
        owner = nil
        base = BufferPool.shared.allocate(bytes: max(1, size))
        if zeroed { memset(base, 0, bytes) }
    }

    /// `count` elements of `dtype` for data read from outside: throws `TensorError.insufficientMemory` naming
    /// `what` when the byte size overflows or exceeds `MemoryBudget.current`, before anything is allocated.
    public static func checked(dtype: DType, count: Int, what: @autoclosure () -> String, zeroed: Bool = true) throws
        -> TensorStorage {
        let bytes = CheckedSize.product([count, dtype.byteCount])
        try MemoryBudget.checkCurrent(needed: bytes, what: what())
        return TensorStorage(dtype: dtype, count: count, zeroed: zeroed)
    }

    /// Size of the owned allocation (at least one byte).
    private var bytes: Int { max(1, count * dtype.byteCount) }

    /// Wraps memory owned by `owner` (for example a memory-mapped file); it is never freed here.
    public init(dtype: DType, count: Int, borrowing base: UnsafeMutableRawPointer, owner: AnyObject) {
        self.dtype = dtype
        self.count = count
        self.base = base
        self.owner = owner
    }

    /// Whether the memory belongs to someone else (a read-only mapping): never written in place.
    public var isBorrowed: Bool { owner != nil }

    /// Drops the whole pages of elements `range` from memory when this storage is a read-only file mapping
    /// (`madvise(MADV_DONTNEED)`: the pages are read from the file again if touched, so the contents never
    /// change); does nothing for any other storage.
    func releaseMappedPages(elements range: Range<Int>) {
        #if os(Linux)
        guard owner is MappedFile, !range.isEmpty, range.lowerBound >= 0, range.upperBound <= count else { return }
        let page = Int(getpagesize()), start = Int(bitPattern: base) + range.lowerBound * dtype.byteCount
        let first = (start + page - 1) / page * page
        let end = (start + range.count * dtype.byteCount) / page * page
        if end > first { _ = madvise(UnsafeMutableRawPointer(bitPattern: first), end - first, MADV_DONTNEED) }
        #endif
    }

    deinit {
        if owner == nil { BufferPool.shared.deallocate(base, bytes: bytes) }
    }

    /// The buffer as Float32 (only valid for `.float32`).
    @inline(__always) var floats: UnsafeMutablePointer<Float> {
        base.assumingMemoryBound(to: Float.self)
    }

    /// Reads element `i` converted to Float32.
    @inline(__always) func float(at i: Int) -> Float {
        switch dtype {
        case .float32: return base.load(fromByteOffset: i * 4, as: Float.self)
        case .float16: return HalfBits.float16ToFloat(base.load(fromByteOffset: i * 2, as: UInt16.self))
        case .bfloat16: return HalfBits.bfloat16ToFloat(base.load(fromByteOffset: i * 2, as: UInt16.self))
        case .int32: return Float(base.load(fromByteOffset: i * 4, as: Int32.self))
        case .int64: return Float(base.load(fromByteOffset: i * 8, as: Int64.self))
        }
    }

    /// Reads element `i` as an integer (floats are truncated toward zero).
    @inline(__always) func int(at i: Int) -> Int {
        switch dtype {
        case .int32: return Int(base.load(fromByteOffset: i * 4, as: Int32.self))
        case .int64: return Int(base.load(fromByteOffset: i * 8, as: Int64.self))
        default:
            let f = float(at: i)
            return f.isFinite ? Int(f) : 0
        }
    }

    /// Writes element `i`, converting from Float32.
    @inline(__always) func setFloat(_ x: Float, at i: Int) {
        switch dtype {
        case .float32: base.storeBytes(of: x, toByteOffset: i * 4, as: Float.self)
        case .float16: base.storeBytes(of: HalfBits.floatToFloat16(x), toByteOffset: i * 2, as: UInt16.self)
        case .bfloat16: base.storeBytes(of: HalfBits.floatToBFloat16(x), toByteOffset: i * 2, as: UInt16.self)
        case .int32: base.storeBytes(of: Int32(x), toByteOffset: i * 4, as: Int32.self)
        case .int64: base.storeBytes(of: Int64(x), toByteOffset: i * 8, as: Int64.self)
        }
    }

    /// Writes element `i` from an integer.
    @inline(__always) func setInt(_ x: Int, at i: Int) {
        switch dtype {
        case .int32: base.storeBytes(of: Int32(truncatingIfNeeded: x), toByteOffset: i * 4, as: Int32.self)
        case .int64: base.storeBytes(of: Int64(x), toByteOffset: i * 8, as: Int64.self)
        default: setFloat(Float(x), at: i)
        }
    }
}
