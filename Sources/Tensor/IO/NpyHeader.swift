/// The header of a NumPy `.npy` file (format versions 1.0, 2.0 and 3.0):
/// magic `\x93NUMPY`, version bytes, a little-endian header length (2 bytes in 1.0, 4 after),
/// then a Python dict literal with `descr`, `fortran_order` and `shape`, padded with spaces and `\n`.
struct NpyHeader {
    /// The dtype string, as written in the file.
    var descr: String
    /// Element encoding of the data.
    var scalar: FileScalar
    /// Whether multi-byte elements are stored big-endian (`>` in `descr`).
    var bigEndian: Bool
    /// Whether the data is laid out column-major.
    var fortranOrder: Bool
    /// The array shape (empty for a 0-d array).
    var shape: [Int]
    /// Byte offset of the data.
    var dataOffset: Int
    /// Number of elements.
    var count: Int

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]
    /// NumPy aligns the data offset to this many bytes.
    static let alignment = 64
    /// NumPy leaves room for the growth axis to reach this many digits.
    static let growthAxisDigits = 21

    /// Parses and validates the header of `bytes` (a whole `.npy` file); the data must follow
    /// the header and be exactly `count * itemsize` bytes long. Errors name `path` and the field.
    static func parse(_ bytes: UnsafeRawBufferPointer, path: String) throws -> NpyHeader {
        let reader = ByteReader(bytes: bytes, path: path)
        guard bytes.count >= 8, (0..<6).allSatisfy({ bytes[$0] == magic[$0] }) else {
            throw reader.failure("not a .npy file: the 6-byte magic string \\x93NUMPY is missing")
        }
        let version = (major: bytes[6], minor: bytes[7])
        guard [1, 2, 3].contains(version.major), version.minor == 0 else {
            throw reader.failure("unsupported .npy format version \(version.major).\(version.minor) (1.0, 2.0, 3.0 are)")
        }
        let headerStart = version.major == 1 ? 10 : 12
        let headerLength = version.major == 1 ? try reader.u16(8, "header length") : try reader.u32(8, "header length")
        guard headerLength <= bytes.count - headerStart else {
            throw reader.failure("header length \(headerLength) exceeds the \(bytes.count - headerStart) bytes after it")
        }
        let text = try reader.slice(headerStart, headerLength, "header")
        let literal: PythonLiteral
        do {
            literal = try PythonLiteralParser.parse(text, utf8: version.major == 3)
        } catch {
            throw reader.failure("header is not a Python literal: \(error.reason) at header byte \(error.offset)")
        }
        var header = try fields(of: literal, reader)
        header.dataOffset = headerStart + headerLength
        guard let byteCount = CheckedSize.bytes(header.shape, elementSize: header.scalar.byteCount) else {
            throw reader.failure("shape \(header.shape) overflows the addressable size")
        }
        let available = bytes.count - header.dataOffset
        guard available == byteCount else {
            throw reader.failure("data is \(available) bytes but shape \(header.shape) of " +
                                 "'\(header.descr)' needs \(byteCount) bytes")
        }
        return header
    }

    /// Validates the dict: exactly the keys `descr` (a supported dtype string), `fortran_order` (a bool)
    /// and `shape` (a tuple of non-negative integers).
    private static func fields(of literal: PythonLiteral, _ reader: ByteReader) throws -> NpyHeader {
        guard case .dict(let items) = literal else { throw reader.failure("header is not a dict: \(literal.text)") }
        var values: [String: PythonLiteral] = [:]
        for (key, value) in items {
            guard case .string(let k) = key, ["descr", "fortran_order", "shape"].contains(k), values[k] == nil else {
                throw reader.failure("header key \(key.text) is unexpected or repeated " +
                                     "(expected 'descr', 'fortran_order', 'shape')")
            }
            values[k] = value
        }
        guard case .string(let descr)? = values["descr"] else {
            throw reader.failure("header field 'descr' is missing or not a string " +
                                 "(structured dtypes are not supported): \(values["descr"]?.text ?? "missing")")
        }
        guard case .bool(let fortran)? = values["fortran_order"] else {
            throw reader.failure("header field 'fortran_order' is missing or not a bool")
        }
        guard case .tuple(let dims)? = values["shape"] else {
            throw reader.failure("header field 'shape' is missing or not a tuple: \(values["shape"]?.text ?? "missing")")
        }
        var shape: [Int] = []
        for d in dims {
            guard case .int(let n) = d, n >= 0 else {
                throw reader.failure("header field 'shape' holds \(d.text), not a non-negative integer")
            }
            shape.append(n)
        }
        let (scalar, bigEndian) = try decodeDescr(descr, reader)
        let count = CheckedSize.product(shape) ?? 0
        return NpyHeader(descr: descr, scalar: scalar, bigEndian: bigEndian, fortranOrder: fortran, shape: shape,
                         dataOffset: 0, count: count)
    }

    /// Splits a `descr` like `<f4`, `>i8`, `|b1` into element encoding and byte order.
    private static func decodeDescr(_ descr: String, _ reader: ByteReader) throws -> (FileScalar, Bool) {
        var code = Substring(descr)
        var bigEndian = false
        if let first = code.first, "<>|=".contains(first) {
            bigEndian = first == ">"
            code = code.dropFirst()
        }
        let table: [Substring: FileScalar] = [
            "f2": .float16, "f4": .float32, "f8": .float64, "i1": .int8, "i2": .int16, "i4": .int32,
            "i8": .int64, "u1": .uint8, "u2": .uint16, "u4": .uint32, "u8": .uint64, "b1": .bool, "?": .bool,
        ]
        guard let scalar = table[code] else {
            throw reader.failure("header field 'descr' has unsupported dtype '\(descr)' " +
                                 "(supported: f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1, either byte order)")
        }
        return (scalar, bigEndian && scalar.byteCount > 1)
    }

    /// The NumPy `descr` written for a tensor of `dtype` (bfloat16 has none: it is written as `<f4`).
    static func descr(for dtype: DType) -> String {
        switch dtype {
        case .float32, .bfloat16: return "<f4"
        case .float16: return "<f2"
        case .int32: return "<i4"
        case .int64: return "<i8"
        }
    }

    /// The header bytes NumPy's `np.save` writes: version 1.0 (2.0 when the dict needs more than
    /// 65535 bytes), `{'descr': ..., 'fortran_order': ..., 'shape': ..., }`, spare spaces for the growth
    /// axis to reach 21 digits, then spaces and `\n` up to a multiple of 64 bytes.
    static func encode(descr: String, fortranOrder: Bool, shape: [Int]) -> [UInt8] {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var dict = "{'descr': '\(descr)', 'fortran_order': \(fortranOrder ? "True" : "False"), 'shape': \(shapeText), }"
        if let growth = fortranOrder ? shape.last : shape.first {
            dict += String(repeating: " ", count: max(0, growthAxisDigits - String(growth).count))
        }
        let body = Array(dict.utf8)
        func padding(_ lengthBytes: Int) -> Int { alignment - (magic.count + 2 + lengthBytes + body.count + 1) % alignment }
        let lengthBytes = body.count + 1 + padding(2) > Int(UInt16.max) ? 4 : 2
        let headerLength = body.count + 1 + padding(lengthBytes)
        var out = magic + [lengthBytes == 2 ? 1 : 2, 0]
        for i in 0..<lengthBytes { out.append(UInt8(truncatingIfNeeded: headerLength >> (8 * i))) }
        out += body
        out += [UInt8](repeating: 0x20, count: padding(lengthBytes))
        out.append(0x0A)
        return out
    }
}
