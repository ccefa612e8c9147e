/// A NumPy `.npz` archive: a zip file whose members `NAME.npy` hold one array each.
///
/// Reads members that are stored (`np.savez`) or deflated (`np.savez_compressed`), checking every
/// CRC-32; writes stored members like `np.savez`. The file is memory-mapped while the archive lives.
public struct NpzArchive: Sendable {
    /// The archive's path.
    public let path: String
    /// Array names in archive order (member names without the `.npy` suffix; other members are skipped).
    public let names: [String]
    private let file: MappedFile
    private let directory: ZipDirectory
    private let entryIndex: [String: Int]

    /// Opens the archive at `path` and reads its central directory.
    public init(contentsOf path: String) throws {
        self.path = path
        file = try MappedFile(path: path)
        directory = try ZipDirectory(file.bytes, path: path)
        var names: [String] = [], index: [String: Int] = [:]
        for (i, entry) in directory.entries.enumerated() where entry.name.hasSuffix(".npy") {
            let name = String(entry.name.dropLast(4))
            guard index[name] == nil else {
                throw TensorError.invalidFile(path: path, reason: "member '\(entry.name)' appears twice")
            }
            index[name] = i
            names.append(name)
        }
        self.names = names
        entryIndex = index
    }

    /// The array `name` (as listed in `names`); throws naming the archive and the array when it is
    /// missing or malformed.
    public func tensor(_ name: String) throws -> Tensor {
        guard let i = entryIndex[name] else {
            throw TensorError.invalidFile(path: path, reason: "no array named '\(name)' (archive holds \(names))")
        }
        let entry = directory.entries[i]
        return try directory.withContents(of: entry, in: file.bytes, path: path) {
            try Tensor.readNpy($0, name: "\(path)[\(entry.name)]")
        }
    }

    /// Writes `arrays` as an uncompressed archive (member `NAME.npy` per array, in order, like
    /// `np.savez(path, **arrays)`), replacing `path` atomically. Names must be unique.
    public static func write(_ arrays: [(String, Tensor)], to path: String) throws {
        var seen = Set<String>()
        for (name, _) in arrays where !seen.insert(name).inserted {
            throw TensorError.invalidFile(path: path, reason: "array name '\(name)' is given twice")
        }
        var zip = try ZipWriter(path: path)
        for (name, tensor) in arrays { try zip.add(name + ".npy", tensor.npyData()) }
        try zip.finish()
    }
}
