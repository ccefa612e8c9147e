/// Read access shared by the checkpoint files: a single safetensors file, a sharded safetensors checkpoint and a
/// PyTorch `.pth` file.
public protocol TensorFileReading: Sendable {
    /// Tensor names in file (or index) order.
    var names: [String] { get }
    /// The free-form string metadata.
    var metadata: [String: String] { get }
    /// The shape of tensor `name`; throws naming the file and tensor when it is missing.
    func shape(of name: String) throws -> [Int]
    /// The dtype `tensor(name)` returns (F64, BOOL -> float32; I8, U8, I16, U16 -> int32; U32, U64 -> int64).
    func dtype(of name: String) throws -> DType
    /// Tensor `name`; throws naming the file and tensor when it is missing or cannot be read.
    func tensor(_ name: String) throws -> Tensor
}

/// A memory-mapped safetensors file (`PROT_READ`, `MAP_PRIVATE`).
///
/// F32, F16, BF16, I32 and I64 tensors are zero-copy views of the mapping (F16/BF16 elements are
/// converted when read) whenever their data is aligned to the element size, as the reference writer
/// guarantees; other dtypes and unaligned data are copied. Every size and offset in the header is
/// checked when the file is opened. Views share one storage per dtype that spans the mapping from
/// the file's first byte, so their offset is never 0 and any write to a loaded tensor copies first
/// (copy-on-write): the read-only mapping is never written. As with any memory map, another
/// process truncating the file while tensors are alive makes their reads fault.
public final class SafetensorsFile: TensorFileReading {
    /// The file's path.
    public let path: String
    /// Tensor names in header order.
    public let names: [String]
    /// The `__metadata__` map (empty when absent).
    public let metadata: [String: String]
    private let file: MappedFile
    private let dataStart: Int
    private let entries: [String: SafetensorsEntry]
    private let borrowed: [DType: TensorStorage]

    /// Maps and validates the file at `path`.
    public init(path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        let header = try SafetensorsHeader(file.bytes, path: path)
        names = header.entries.map(\.name)
        metadata = header.metadata
        dataStart = header.dataStart
        entries = Dictionary(uniqueKeysWithValues: header.entries.map { ($0.name, $0) })
        var borrowed: [DType: TensorStorage] = [:]
        for e in header.entries {
            guard let target = e.dtype.scalar?.target, FileScalar(target) == e.dtype.scalar,
                  borrowed[target] == nil, let base = file.base else { continue }
            borrowed[target] = TensorStorage(dtype: target, count: file.size / target.byteCount,
                                             borrowing: base, owner: file)
        }
        self.borrowed = borrowed
    }

    private func entry(_ name: String) throws -> SafetensorsEntry {
        guard let e = entries[name] else {
            throw TensorError.invalidFile(path: path, reason: "no tensor named '\(name)' (the file holds \(names.count))")
        }
        return e
    }

    /// The shape of tensor `name`.
    public func shape(of name: String) throws -> [Int] { try entry(name).shape }

    /// The dtype `tensor(name)` returns; throws for the unsupported 8-bit float formats.
    public func dtype(of name: String) throws -> DType { try scalar(of: entry(name)).target }

    /// The dtype string stored in the file (`"F32"`, `"BF16"`, ...).
    public func storedDType(of name: String) throws -> String { try entry(name).dtype.rawValue }

    private func scalar(of e: SafetensorsEntry) throws -> FileScalar {
        guard let s = e.dtype.scalar else {
            throw TensorError.invalidFile(path: path, reason: "tensor '\(e.name)' has dtype \(e.dtype.rawValue), which " +
                                          "is not supported (readable: F32 F16 BF16 F64 I64 I32 I16 I8 U64 U32 U16 U8 BOOL)")
        }
        return s
    }

    /// Tensor `name`: a view of the mapping when possible, else a converted copy.
    public func tensor(_ name: String) throws -> Tensor {
        let e = try entry(name)
        let s = try scalar(of: e)
        let start = dataStart + e.begin
        let strides = Shape.contiguousStrides(e.shape)
        if let storage = borrowed[s.target], FileScalar(s.target) == s, start % s.byteCount == 0, e.end > e.begin {
            return Tensor(storage: storage, shape: e.shape, strides: strides, offset: start / s.byteCount)
        }
        let bytes = UnsafeRawBufferPointer(rebasing: file.bytes[start..<(dataStart + e.end)])
        let count = (e.end - e.begin) / s.byteCount
        let storage = try s.decode(bytes, count: count, bigEndian: false, path: path, name: "tensor '\(name)'")
        return Tensor(storage: storage, shape: e.shape, strides: strides, offset: 0)
    }

    /// Writes `tensors` in the given order with their own dtypes (F32, F16, BF16, I32, I64) and the
    /// optional string `metadata` (keys sorted), replacing `path` atomically. The header is compact
    /// JSON padded with spaces to a multiple of 8 bytes, as the reference implementation writes it.
    public static func write(_ tensors: [(String, Tensor)], metadata: [String: String] = [:], to path: String) throws {
        var members: [(key: String, value: JSONValue)] = []
        if !metadata.isEmpty {
            members.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var seen: Set<String> = ["__metadata__"]
        var offset = 0
        for (name, t) in tensors {
            guard seen.insert(name).inserted else {
                throw TensorError.invalidFile(path: path, reason: "tensor name '\(name)' is given twice or is reserved")
            }
            let size = t.count * t.dtype.byteCount
            let info: [(key: String, value: JSONValue)] = [
                ("dtype", .string(SafetensorsDType(t.dtype).rawValue)),
                ("shape", .array(t.shape.map { .integer($0) })),
                ("data_offsets", .array([.integer(offset), .integer(offset + size)])),
            ]
            members.append((name, .object(info)))
            offset += size
        }
        var header = Array(JSONValue.object(members).serialized.utf8)
        header += [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8)
        let writer = try AtomicFileWriter(path: path)
        var prefix: [UInt8] = []
        prefix.append(le: UInt64(header.count))
        try writer.write(prefix + header)
        for (_, t) in tensors { try t.contiguous().withRawBytes { try writer.write($0) } }
        try writer.commit()
    }
}
