/// NumPy `.npy` reading and writing.
///
/// Read: versions 1.0/2.0/3.0; `f4`, `f2`, `i4`, `i8` keep their type, `f8` and `b1` become float32,
/// `i1 i2 u1 u2` become int32, `u4 u8` int64; big-endian data is byte-swapped; `fortran_order: True`
/// gives a transposed view of the column-major data. Write: float32, float16, int32 and int64 as is,
/// bfloat16 as float32, byte for byte what `np.save` writes for the same array.
extension Tensor {
    /// Reads the `.npy` file at `path`; throws `TensorError.invalidFile` naming the path and the field.
    public init(npyContentsOf path: String) throws {
        let file = try MappedFile(path: path)
        self = try Tensor.readNpy(file.bytes, name: path)
    }

    /// Parses the contents of a `.npy` file; `name` stands for the file in error messages.
    public static func readNpy(from data: [UInt8], name: String = "<npy data>") throws -> Tensor {
        try data.withUnsafeBytes { try readNpy($0, name: name) }
    }

    /// Parses `.npy` bytes into a fresh tensor (the bytes are copied, never borrowed).
    static func readNpy(_ bytes: UnsafeRawBufferPointer, name: String) throws -> Tensor {
        let header = try NpyHeader.parse(bytes, path: name)
        let data = UnsafeRawBufferPointer(rebasing: bytes[header.dataOffset...])
        let storage = try header.scalar.decode(data, count: header.count, bigEndian: header.bigEndian,
                                               path: name, name: "data")
        // Column-major data of shape [a, b, c] is row-major data of shape [c, b, a], transposed.
        let stored = header.fortranOrder ? Array(header.shape.reversed()) : header.shape
        let t = Tensor(storage: storage, shape: stored, strides: Shape.contiguousStrides(stored), offset: 0)
        return header.fortranOrder ? t.T : t
    }

    /// The complete `.npy` file for this tensor (header and little-endian data).
    public func npyData() -> [UInt8] {
        let (header, data) = npyLayout()
        return data.withRawBytes { header + Array($0) }
    }

    /// Writes the tensor as a `.npy` file (replacing `path` atomically).
    public func writeNpy(to path: String) throws {
        let (header, data) = npyLayout()
        let writer = try AtomicFileWriter(path: path)
        try writer.write(header)
        try data.withRawBytes { try writer.write($0) }
        try writer.commit()
    }

    /// The header and the contiguous tensor whose bytes follow it. Like NumPy, a tensor that is
    /// column-major contiguous (such as the transpose of a contiguous matrix) is written with
    /// `fortran_order: True` and no copy; any other layout is written row-major.
    private func npyLayout() -> (header: [UInt8], data: Tensor) {
        let source = dtype == .bfloat16 ? converted(to: .float32) : self
        let fortran = rank > 1 && !source.isContiguous && source.T.isContiguous
        let data = fortran ? source.T : source.contiguous()
        let header = NpyHeader.encode(descr: NpyHeader.descr(for: dtype), fortranOrder: fortran, shape: shape)
        return (header, data)
    }

    /// Calls `body` with the raw (host-order, little-endian) bytes of a contiguous tensor.
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        ensure(isContiguous, "withRawBytes: tensor of shape \(shape) is not contiguous")
        let size = dtype.byteCount
        return try body(UnsafeRawBufferPointer(start: storage.base + offset * size, count: count * size))
    }
}
