/// Bounds-checked little-endian reads from a byte buffer; every failure names the file,
/// the field and the offset involved.
struct ByteReader {
    /// The bytes being parsed.
    let bytes: UnsafeRawBufferPointer
    /// File (or member) named in errors.
    let path: String

    /// The error for a malformed input.
    func failure(_ reason: String) -> TensorError {
        TensorError.invalidFile(path: path, reason: reason)
    }

    /// Throws unless `count` bytes starting at `offset` lie inside the buffer.
    func require(_ offset: Int, _ count: Int, _ field: String) throws {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw failure("\(field): \(count) bytes at offset \(offset) run past the end of the \(bytes.count)-byte data")
        }
    }

    /// The unsigned little-endian integer of type `T` at `offset`.
    func integer<T: FixedWidthInteger & UnsignedInteger>(_ offset: Int, as: T.Type, _ field: String) throws -> T {
        try require(offset, MemoryLayout<T>.size, field)
        return T(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// `UInt16` at `offset`, as `Int`.
    func u16(_ offset: Int, _ field: String) throws -> Int { Int(try integer(offset, as: UInt16.self, field)) }
    /// `UInt32` at `offset`, as `Int`.
    func u32(_ offset: Int, _ field: String) throws -> Int { Int(try integer(offset, as: UInt32.self, field)) }

    /// `UInt64` at `offset`; throws if it does not fit in `Int`.
    func u64(_ offset: Int, _ field: String) throws -> Int {
        let v = try integer(offset, as: UInt64.self, field)
        guard v <= UInt64(Int.max) else { throw failure("\(field): value \(v) at offset \(offset) is too large") }
        return Int(v)
    }

    /// The sub-buffer `offset..<offset+count`.
    func slice(_ offset: Int, _ count: Int, _ field: String) throws -> UnsafeRawBufferPointer {
        try require(offset, count, field)
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}
