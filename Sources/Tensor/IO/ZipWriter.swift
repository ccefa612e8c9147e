/// Streams an uncompressed (stored) zip archive, one member at a time: local header and data as each
/// member arrives, then the central directory and the end record. Timestamps are fixed at
/// 1980-01-01 00:00 so the output depends only on the members. Archives that would need zip64
/// (more than 65534 members or 4 GiB offsets and sizes) are rejected.
struct ZipWriter {
    private let file: AtomicFileWriter
    private let path: String
    private var directory: [UInt8] = []
    private var count = 0
    private var offset = 0
    private static let dosDate: UInt16 = 1 << 5 | 1, limit = 0xFFFF_FFFF

    /// Starts the archive at `path` (written to a temporary file until `finish`).
    init(path: String) throws {
        self.path = path
        file = try AtomicFileWriter(path: path)
    }

    /// Appends a stored member `name` holding `data`.
    mutating func add(_ name: String, _ data: [UInt8]) throws {
        let nameBytes = Array(name.utf8)
        guard nameBytes.count <= 0xFFFF, count < 0xFFFE, data.count < ZipWriter.limit,
              offset < ZipWriter.limit - 30 - nameBytes.count - data.count else {
            throw TensorError.invalidFile(path: path, reason: "member '\(name)' (\(data.count) bytes) would need zip64, " +
                                          "which writing does not support")
        }
        let crc = CRC32.checksum(data)
        // Bit 11 marks a UTF-8 name.
        let flags: UInt16 = nameBytes.allSatisfy { $0 < 0x80 } ? 0 : 1 << 11
        var local: [UInt8] = []
        local.append(le: UInt32(ZipDirectory.localSignature))
        local.append(le: UInt16(20), flags, UInt16(0), UInt16(0), ZipWriter.dosDate)
        local.append(le: crc, UInt32(data.count), UInt32(data.count))
        local.append(le: UInt16(nameBytes.count), UInt16(0))
        local += nameBytes
        directory.append(le: UInt32(0x0201_4B50))
        directory.append(le: UInt16(0x0314), UInt16(20), flags, UInt16(0), UInt16(0), ZipWriter.dosDate)
        directory.append(le: crc, UInt32(data.count), UInt32(data.count))
        directory.append(le: UInt16(nameBytes.count), UInt16(0), UInt16(0), UInt16(0), UInt16(0))
        directory.append(le: UInt32(0o600 << 16), UInt32(offset))
        directory += nameBytes
        try file.write(local)
        try file.write(data)
        offset += local.count + data.count
        count += 1
    }

    /// Writes the central directory and end record, then moves the archive into place.
    mutating func finish() throws {
        guard offset + directory.count < ZipWriter.limit else {
            throw TensorError.invalidFile(path: path, reason: "archive exceeds 4 GiB, which needs zip64")
        }
        var end: [UInt8] = []
        end.append(le: UInt32(0x0605_4B50))
        end.append(le: UInt16(0), UInt16(0), UInt16(count), UInt16(count))
        end.append(le: UInt32(directory.count), UInt32(offset))
        end.append(le: UInt16(0))
        try file.write(directory)
        try file.write(end)
        try file.commit()
    }
}

extension [UInt8] {
    /// Appends each value's little-endian bytes.
    mutating func append<T: FixedWidthInteger>(le values: T...) {
        for v in values { Swift.withUnsafeBytes(of: v.littleEndian) { append(contentsOf: $0) } }
    }
}
