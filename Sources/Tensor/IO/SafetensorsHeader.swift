/// Element types named in safetensors headers, with their sizes.
enum SafetensorsDType: String, Sendable, CaseIterable {
    case BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64

    /// Bytes per element.
    var byteCount: Int {
        switch self {
        case .BOOL, .U8, .I8, .F8_E5M2, .F8_E4M3: return 1
        case .I16, .U16, .F16, .BF16: return 2
        case .I32, .U32, .F32: return 4
        case .F64, .I64, .U64: return 8
        }
    }

    /// How elements are decoded, or nil for the 8-bit float formats, which are not supported.
    var scalar: FileScalar? {
        switch self {
        case .BOOL: return .bool
        case .U8: return .uint8
        case .I8: return .int8
        case .I16: return .int16
        case .U16: return .uint16
        case .F16: return .float16
        case .BF16: return .bfloat16
        case .I32: return .int32
        case .U32: return .uint32
        case .F32: return .float32
        case .F64: return .float64
        case .I64: return .int64
        case .U64: return .uint64
        case .F8_E5M2, .F8_E4M3: return nil
        }
    }

    /// The safetensors name of a tensor dtype.
    init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .F32
        case .float16: self = .F16
        case .bfloat16: self = .BF16
        case .int32: self = .I32
        case .int64: self = .I64
        }
    }
}

/// One tensor's header entry; `begin..<end` are byte offsets into the data region.
struct SafetensorsEntry: Sendable {
    let name: String
    let dtype: SafetensorsDType
    let shape: [Int]
    let begin: Int
    let end: Int
}

/// The validated header of a safetensors file: an 8-byte little-endian length N, N bytes of JSON
/// `{"__metadata__": {str: str}, NAME: {"dtype": D, "shape": [...], "data_offsets": [begin, end]}, ...}`,
/// then the data region. As in the reference implementation, the tensors must tile the data region
/// exactly: sorted by offset, each begins where the previous ends and the last ends at the file's end.
struct SafetensorsHeader: Sendable {
    /// Tensors in header order.
    let entries: [SafetensorsEntry]
    /// The `__metadata__` map (empty when absent).
    let metadata: [String: String]
    /// File offset of the data region (8 + N).
    let dataStart: Int
    /// The reference implementation's limit on N.
    static let maxHeaderLength = 100_000_000

    /// Parses and checks the header of the whole file `bytes`; errors name `path`, the tensor,
    /// the field and the offsets or sizes involved.
    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        let r = ByteReader(bytes: bytes, path: path)
        guard bytes.count >= 8 else {
            throw r.failure("file is \(bytes.count) bytes; a safetensors file starts with an 8-byte header length")
        }
        let length = try r.integer(0, as: UInt64.self, "header length")
        guard length <= UInt64(SafetensorsHeader.maxHeaderLength) else {
            throw r.failure("header length \(length) exceeds the \(SafetensorsHeader.maxHeaderLength)-byte limit")
        }
        guard Int(length) <= bytes.count - 8 else {
            throw r.failure("header length \(length) exceeds the \(bytes.count - 8) bytes after the length field")
        }
        dataStart = 8 + Int(length)
        let text = try r.slice(8, Int(length), "header")
        let json: JSONValue
        do {
            json = try JSONValue.parse(text, rejectingDuplicateKeys: true)
        } catch {
            throw r.failure("header is not valid JSON: \(error.reason) at header byte \(error.offset)")
        }
        guard case .object(let members) = json else { throw r.failure("header is not a JSON object") }
        var entries: [SafetensorsEntry] = []
        var metadata: [String: String] = [:]
        for (key, value) in members {
            if key == "__metadata__" {
                metadata = try SafetensorsHeader.metadata(value, r)
            } else {
                entries.append(try SafetensorsHeader.entry(key, value, dataLength: bytes.count - dataStart, r))
            }
        }
        try SafetensorsHeader.checkTiling(entries, dataLength: bytes.count - dataStart, r)
        self.entries = entries
        self.metadata = metadata
    }

    private static func metadata(_ value: JSONValue, _ r: ByteReader) throws -> [String: String] {
        guard case .object(let pairs) = value else {
            throw r.failure("'__metadata__' must be an object of strings, found \(value.serialized)")
        }
        var out: [String: String] = [:]
        for (k, v) in pairs {
            guard case .string(let s) = v else {
                throw r.failure("'__metadata__' key '\(k)' must hold a string, found \(v.serialized)")
            }
            out[k] = s
        }
        return out
    }

    private static func entry(_ name: String, _ value: JSONValue, dataLength: Int, _ r: ByteReader) throws
        -> SafetensorsEntry {
        guard case .object(let pairs) = value else {
            throw r.failure("tensor '\(name)': entry must be an object, found \(value.serialized)")
        }
        let fields = Dictionary(pairs.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        guard case .string(let dtypeName)? = fields["dtype"] else {
            throw r.failure("tensor '\(name)': field 'dtype' is missing or not a string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw r.failure("tensor '\(name)': unknown dtype '\(dtypeName)' (known: " +
                            SafetensorsDType.allCases.map(\.rawValue).joined(separator: " ") + ")")
        }
        guard case .array(let dims)? = fields["shape"], let shape = integers(dims) else {
            throw r.failure("tensor '\(name)': field 'shape' must be an array of non-negative integers, " +
                            "found \(fields["shape"]?.serialized ?? "nothing")")
        }
        guard case .array(let offsets)? = fields["data_offsets"], let pair = integers(offsets), pair.count == 2 else {
            throw r.failure("tensor '\(name)': field 'data_offsets' must be [begin, end] with non-negative integers, " +
                            "found \(fields["data_offsets"]?.serialized ?? "nothing")")
        }
        let (begin, end) = (pair[0], pair[1])
        guard begin <= end else { throw r.failure("tensor '\(name)': data_offsets [\(begin), \(end)] begin after they end") }
        guard end <= dataLength else {
            throw r.failure("tensor '\(name)': data_offsets [\(begin), \(end)] run past the \(dataLength)-byte data region")
        }
        guard let bytes = CheckedSize.bytes(shape, elementSize: dtype.byteCount) else {
            throw r.failure("tensor '\(name)': shape \(shape) of \(dtype) overflows the addressable size")
        }
        guard end - begin == bytes else {
            throw r.failure("tensor '\(name)': shape \(shape) of \(dtype) needs \(bytes) bytes " +
                            "but data_offsets [\(begin), \(end)] span \(end - begin)")
        }
        return SafetensorsEntry(name: name, dtype: dtype, shape: shape, begin: begin, end: end)
    }

    private static func integers(_ values: [JSONValue]) -> [Int]? {
        let ints = values.compactMap(\.nonNegativeInteger)
        return ints.count == values.count ? ints : nil
    }

    /// Sorted by offsets, tensor i must begin where tensor i-1 ends; the last must end at `dataLength`.
    private static func checkTiling(_ entries: [SafetensorsEntry], dataLength: Int, _ r: ByteReader) throws {
        var end = 0
        var previous = "the start of the data region"
        for e in entries.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard e.begin == end else {
                throw r.failure("tensor '\(e.name)': data_offsets [\(e.begin), \(e.end)] begin at data byte \(e.begin) " +
                                "but \(previous) is at \(end) (tensors must be packed without gaps or overlaps)")
            }
            end = e.end
            previous = "the end of tensor '\(e.name)'"
        }
        guard end == dataLength else {
            throw r.failure("tensors cover \(end) bytes but the data region after the header is \(dataLength) bytes")
        }
    }
}
