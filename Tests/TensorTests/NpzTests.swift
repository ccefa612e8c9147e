import Testing
@testable import Tensor

/// `.npz` archives from `np.savez` / `np.savez_compressed` and raw deflate streams from zlib
/// (`Scripts/fixtures/tensor_io.py`). All comparisons are exact.
@Suite struct NpzTests {
    private let names = ["a", "b", "c", "scalar", "empty", "noise", "zeros", "ramp"]

    @Test func readsArchivesWrittenByNumPy() throws {
        let stored = try NpzArchive(contentsOf: IOFixtures.path("npz/stored.npz"))
        let compressed = try NpzArchive(contentsOf: IOFixtures.path("npz/compressed.npz"))
        #expect(stored.names == names && compressed.names == names)
        let a = try stored.tensor("a")
        #expect(a.shape == [2, 3] && a.scalars == (0..<6).map { Float($0) - 2.5 })
        #expect(try stored.tensor("b").intScalars == Array(0..<5))
        let c = try stored.tensor("c")
        #expect(c.dtype == .float16 && c.scalars == [0, 0.5, 1, 1.5])
        #expect(try stored.tensor("scalar").shape == [] && stored.tensor("scalar").item() == -1.25)
        #expect(try stored.tensor("empty").shape == [0])
        #expect(try stored.tensor("ramp").intScalars == (0..<5000).map { $0 * 7 })
        #expect(try stored.tensor("zeros").scalars == [Float](repeating: 0, count: 10_000))
        for name in names {
            let x = try stored.tensor(name), y = try compressed.tensor(name)
            #expect(x.shape == y.shape && x.dtype == y.dtype && x.scalars == y.scalars, "\(name)")
        }
    }

    /// zip64 end records and zip64 extra fields (sizes and offsets), as `zipfile` writes them for large archives.
    @Test func readsZip64Archives() throws {
        let zip64 = try NpzArchive(contentsOf: IOFixtures.path("npz/zip64.npz"))
        let plain = try NpzArchive(contentsOf: IOFixtures.path("npz/small_stored.npz"))
        #expect(zip64.names == ["a", "b"])
        for name in plain.names {
            #expect(try zip64.tensor(name).scalars == plain.tensor(name).scalars, "\(name)")
        }
    }

    @Test func missingArrayErrorNamesItAndTheArchive() throws {
        let archive = try NpzArchive(contentsOf: IOFixtures.path("npz/small_stored.npz"))
        let message = invalidFileMessage { _ = try archive.tensor("nope") }
        #expect(message?.contains("'nope'") == true && message?.contains("small_stored.npz") == true)
    }

    /// Every zlib strategy (default, fast, fixed Huffman, Huffman only, RLE, stored, 512-byte window)
    /// inflates to the original bytes.
    @Test func inflateMatchesZlibForEveryStrategy() throws {
        let original = try IOFixtures.bytes("deflate/original.bin")
        for name in ["level9", "level1", "fixed", "huffman", "rle", "stored", "window9"] {
            let stream = try IOFixtures.bytes("deflate/\(name).bin")
            let out = try stream.withUnsafeBytes { try Inflater.inflate($0, expectedSize: original.count) }
            #expect(out == original, "\(name)")
        }
        #expect(try [UInt8]([0x03, 0x00]).withUnsafeBytes { try Inflater.inflate($0, expectedSize: 0) } == [])
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }

    /// Our archive holds the same member bytes as `np.savez`'s, and reads back.
    @Test func writerMatchesNumPyMembers() throws {
        let folder = try ScratchFolder()
        let path = folder.file("ours.npz")
        let a = Tensor((0..<6).map { Float($0) - 2.5 }, shape: [2, 3])
        let b = Tensor(ints: Array(0..<5), shape: [5])
        try NpzArchive.write([("a", a), ("b", b)], to: path)
        let ours = try IOFixtures.read(path)
        let theirs = try IOFixtures.bytes("npz/small_stored.npz")
        let members = { (bytes: [UInt8]) throws -> [String: [UInt8]] in
            try bytes.withUnsafeBytes { raw in
                let directory = try ZipDirectory(raw, path: "archive")
                var out: [String: [UInt8]] = [:]
                for e in directory.entries {
                    out[e.name] = try directory.withContents(of: e, in: raw, path: "archive") { Array($0) }
                }
                return out
            }
        }
        #expect(try members(ours) == members(theirs))
        let back = try NpzArchive(contentsOf: path)
        #expect(back.names == ["a", "b"])
        #expect(try back.tensor("a").scalars == a.scalars && back.tensor("b").intScalars == b.intScalars)
        #expect(invalidFileMessage { try NpzArchive.write([("a", a), ("a", b)], to: path) }?.contains("'a'") == true)
    }
}
