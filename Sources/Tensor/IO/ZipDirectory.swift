/// One member of a zip archive, as its central-directory entry describes it.
struct ZipEntry: Sendable {
    let name: String
    /// 0 = stored, 8 = deflate.
    let method: Int
    let crc: UInt32
    let compressedSize: Int
    let uncompressedSize: Int
    let localHeaderOffset: Int
}

/// The central directory of a zip archive (APPNOTE 4.3), found through the end-of-central-directory
/// record and, when sizes or offsets overflow 32 bits, the zip64 end record and extra fields.
/// Multi-disk and encrypted archives are rejected.
struct ZipDirectory: Sendable {
    let entries: [ZipEntry]

    private static let endSignature = 0x0605_4B50, zip64EndSignature = 0x0606_4B50
    private static let zip64LocatorSignature = 0x0706_4B50, centralSignature = 0x0201_4B50
    static let localSignature = 0x0403_4B50
    /// Largest ratio of output to input a deflate stream can reach (258 bytes from 2 bits).
    private static let maxDeflateRatio = 1032

    /// Reads the directory of the archive `bytes`; errors name `path`, the record and the offset.
    init(_ bytes: UnsafeRawBufferPointer, path: String) throws {
        let r = ByteReader(bytes: bytes, path: path)
        guard bytes.count >= 22 else {
            throw r.failure("\(bytes.count) bytes is too short for a zip archive (the end record alone is 22)")
        }
        var end = -1
        for start in stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 0xFFFF), by: -1) {
            if try r.u32(start, "end record") == ZipDirectory.endSignature,
               try start + 22 + r.u16(start + 20, "comment length") == bytes.count {
                end = start
                break
            }
        }
        guard end >= 0 else { throw r.failure("no zip end-of-central-directory record found") }
        var count = try r.u16(end + 10, "entry count")
        var size = try r.u32(end + 12, "central directory size")
        var offset = try r.u32(end + 16, "central directory offset")
        var limit = end
        if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF {
            (count, size, offset, limit) = try ZipDirectory.zip64End(r, before: end)
        } else {
            guard try r.u16(end + 4, "disk number") == 0, try r.u16(end + 6, "central directory disk") == 0 else {
                throw r.failure("multi-disk zip archives are not supported")
            }
        }
        guard offset <= limit, size <= limit - offset else {
            throw r.failure("central directory (\(size) bytes at offset \(offset)) lies outside the archive")
        }
        guard count <= size / 46 else {
            throw r.failure("\(count) entries cannot fit in a \(size)-byte central directory")
        }
        let directory = ByteReader(bytes: try r.slice(offset, size, "central directory"), path: path)
        var list: [ZipEntry] = []
        var at = 0
        for i in 0..<count {
            let (entry, next) = try ZipDirectory.entry(directory, at: at, index: i)
            list.append(entry)
            at = next
        }
        entries = list
    }

    /// Entry count, directory size and offset from the zip64 end record, and where that record starts.
    private static func zip64End(_ r: ByteReader, before end: Int) throws -> (Int, Int, Int, Int) {
        let locator = end - 20
        guard locator >= 0, try r.u32(locator, "zip64 locator") == zip64LocatorSignature else {
            throw r.failure("end record says zip64 but no zip64 locator precedes it")
        }
        let record = try r.u64(locator + 8, "zip64 end record offset")
        guard record <= locator - 56, try r.u32(record, "zip64 end record") == zip64EndSignature else {
            throw r.failure("zip64 end record offset \(record) does not point at a zip64 end record")
        }
        guard try r.u32(record + 16, "zip64 disk number") == 0, try r.u32(record + 20, "zip64 directory disk") == 0 else {
            throw r.failure("multi-disk zip archives are not supported")
        }
        return (try r.u64(record + 32, "zip64 entry count"), try r.u64(record + 40, "zip64 directory size"),
                try r.u64(record + 48, "zip64 directory offset"), record)
    }

    /// The central-directory entry at `at` and the offset of the next one.
    private static func entry(_ r: ByteReader, at p: Int, index: Int) throws -> (ZipEntry, Int) {
        let label = "central directory entry \(index)"
        guard try r.u32(p, label) == centralSignature else {
            throw r.failure("\(label): bad signature at directory offset \(p)")
        }
        let flags = try r.u16(p + 8, "\(label) flags")
        guard flags & 1 == 0 else { throw r.failure("\(label): encrypted members are not supported") }
        let nameLength = try r.u16(p + 28, "\(label) name length")
        let extraLength = try r.u16(p + 30, "\(label) extra length")
        let commentLength = try r.u16(p + 32, "\(label) comment length")
        let nameBytes = try r.slice(p + 46, nameLength, "\(label) name")
        guard let name = String(validating: nameBytes, as: UTF8.self) else {
            throw r.failure("\(label): name is not valid UTF-8")
        }
        var sizes = [try r.u32(p + 24, "\(label) size"), try r.u32(p + 20, "\(label) compressed size"),
                     try r.u32(p + 42, "\(label) offset")]
        let extra = try r.slice(p + 46 + nameLength, extraLength, "\(label) extra field")
        try zip64Sizes(ByteReader(bytes: extra, path: r.path), &sizes, "'\(name)'")
        let next = p + 46 + nameLength + extraLength + commentLength
        try r.require(p, next - p, label)
        let entry = ZipEntry(name: name, method: try r.u16(p + 10, "\(label) method"),
                             crc: try r.integer(p + 16, as: UInt32.self, "\(label) CRC"),
                             compressedSize: sizes[1], uncompressedSize: sizes[0], localHeaderOffset: sizes[2])
        return (entry, next)
    }

    /// Replaces 0xFFFFFFFF values of `sizes` (uncompressed size, compressed size, local header offset)
    /// by the 64-bit values of the zip64 extra field (id 1), which holds them in that order, each
    /// only when needed.
    private static func zip64Sizes(_ extra: ByteReader, _ sizes: inout [Int], _ name: String) throws {
        var p = 0
        while p + 4 <= extra.bytes.count {
            let id = try extra.u16(p, "extra field id"), length = try extra.u16(p + 2, "extra field length")
            let body = try extra.slice(p + 4, length, "member \(name) extra field \(id)")
            if id == 1 {
                let field = ByteReader(bytes: body, path: extra.path)
                var q = 0
                for k in sizes.indices where sizes[k] == 0xFFFF_FFFF {
                    sizes[k] = try field.u64(q, "member \(name) zip64 extra field")
                    q += 8
                }
            }
            p += 4 + length
        }
    }

    /// The file offset of `entry`'s data, after its local header (whose signature is checked).
    func dataOffset(of entry: ZipEntry, in bytes: UnsafeRawBufferPointer, path: String) throws -> Int {
        let r = ByteReader(bytes: bytes, path: path)
        let label = "member '\(entry.name)'"
        let local = entry.localHeaderOffset
        guard try r.u32(local, "\(label) local header") == ZipDirectory.localSignature else {
            throw r.failure("\(label): no local header at offset \(local)")
        }
        return local + 30 + (try r.u16(local + 26, "\(label) name length")) + (try r.u16(local + 28, "\(label) extra length"))
    }

    /// Calls `body` with the uncompressed bytes of `entry` (inflated when needed) after checking the
    /// local header, the declared sizes and the CRC-32. Inflated output grows with what the stream actually
    /// decodes, never past the declared size nor `budget`, so a member that declares gigabytes over a few
    /// bytes of input allocates nothing large, and a real bomb is refused when it would not fit in memory.
    func withContents<R>(of entry: ZipEntry, in bytes: UnsafeRawBufferPointer, path: String,
                         budget: MemoryBudget? = nil, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let r = ByteReader(bytes: bytes, path: path)
        let label = "member '\(entry.name)'"
        let stored = try r.slice(try dataOffset(of: entry, in: bytes, path: path), entry.compressedSize, "\(label) data")
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw r.failure("\(label): stored sizes differ (\(entry.compressedSize) vs \(entry.uncompressedSize))")
            }
            try verify(CRC32.checksum(stored), entry, r)
            return try body(stored)
        case 8:
            guard entry.uncompressedSize / ZipDirectory.maxDeflateRatio <= entry.compressedSize else {
                throw r.failure("\(label): \(entry.uncompressedSize) bytes cannot come from " +
                                "\(entry.compressedSize) deflated bytes")
            }
            let out: [UInt8]
            do {
                out = try Inflater.inflate(stored, expectedSize: entry.uncompressedSize, budget: budget ?? .current,
                                           what: "\(path) \(label)")
            } catch {
                if let memory = error.memory { throw memory }
                throw r.failure("\(label): corrupt deflate data: \(error.reason)")
            }
            try verify(CRC32.checksum(out), entry, r)
            return try out.withUnsafeBytes(body)
        default:
            throw r.failure("\(label): compression method \(entry.method) is not supported (only stored and deflate)")
        }
    }

    private func verify(_ crc: UInt32, _ entry: ZipEntry, _ r: ByteReader) throws {
        guard crc == entry.crc else {
            throw r.failure("member '\(entry.name)': CRC-32 of the data is 0x\(String(crc, radix: 16)) " +
                            "but the directory records 0x\(String(entry.crc, radix: 16))")
        }
    }
}
