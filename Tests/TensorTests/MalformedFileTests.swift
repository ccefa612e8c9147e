import Foundation
import Testing
@testable import Tensor

/// Malformed npy, npz, deflate and safetensors input: every case must throw a typed error whose
/// message names the field, tensor, offset or size involved, and never crash, hang or allocate
/// from an unchecked size.
@Suite struct MalformedFileTests {
    // MARK: npy

    /// A `.npy` file with the given header dict text (version 1.0) followed by `data` zero bytes.
    private func npy(_ dict: String, data: Int, version: UInt8 = 1) -> [UInt8] {
        let body = Array((dict + "\n").utf8)
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
        if version == 1 { out.append(le: UInt16(body.count)) } else { out.append(le: UInt32(body.count)) }
        return out + body + [UInt8](repeating: 0, count: data)
    }

    @Test func everyTruncatedNpyThrows() throws {
        for name in ["f4_c", "f4_fortran", "be_i8", "scalar"] {
            let bytes = try IOFixtures.bytes("npy/\(name).npy")
            #expect(try Tensor.readNpy(from: bytes).count >= 1)
            for n in 0..<bytes.count {
                #expect(throws: TensorError.self, "\(name) prefix \(n)") { try Tensor.readNpy(from: Array(bytes[..<n])) }
            }
            #expect(throws: TensorError.self) { try Tensor.readNpy(from: bytes + [0]) }
        }
    }

    @Test func npyHeaderErrorsNameTheField() throws {
        let good = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
        #expect(try Tensor.readNpy(from: npy(good, data: 8)).shape == [2])
        #expect(try Tensor.readNpy(from: npy(good, data: 8, version: 2)).shape == [2])
        let cases: [(String, Int, String)] = [
            (good, 7, "needs 8 bytes"),
            ("{'descr': '<f4', 'fortran_order': False}", 0, "'shape'"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", 8, "'extra'"),
            ("{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", 8, "'fortran_order'"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", 0, "'shape' holds -1"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", 8, "'shape' is missing or not a tuple"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 4)}", 0, "overflows"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", 0, "out of range"),
            ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}", 8, "structured"),
            ("{'descr': '<x9', 'fortran_order': False, 'shape': (2,)}", 8, "'<x9'"),
            ("['descr']", 0, "not a dict"),
            ("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), ", 8, "not a Python literal"),
            ("{'descr': '<f4' 'fortran_order': False}", 8, "expected ','"),
            (String(repeating: "(", count: 5000), 0, "nesting"),
        ]
        for (dict, data, fragment) in cases {
            let message = invalidFileMessage { _ = try Tensor.readNpy(from: npy(dict, data: data), name: "t.npy") }
            #expect(message?.contains(fragment) == true, "\(dict): \(message ?? "no error")")
            #expect(message?.hasPrefix("t.npy: ") == true)
        }
        var badMagic = npy(good, data: 8)
        badMagic[1] = 0
        #expect(invalidFileMessage { _ = try Tensor.readNpy(from: badMagic) }?.contains("magic") == true)
        #expect(invalidFileMessage { _ = try Tensor.readNpy(from: npy(good, data: 8, version: 4)) }?
            .contains("version 4.0") == true)
        var longHeader = npy(good, data: 8)
        longHeader[8] = 0xFF
        #expect(invalidFileMessage { _ = try Tensor.readNpy(from: longHeader) }?.contains("header length") == true)
    }

    @Test func unreadableNpyPathsAreTypedErrors() throws {
        let folder = try ScratchFolder()
        #expect(invalidFileMessage { _ = try Tensor(npyContentsOf: folder.file("absent.npy")) }?.contains("cannot open") == true)
        #expect(invalidFileMessage { _ = try Tensor(npyContentsOf: folder.path) }?.contains("not a regular file") == true)
        let fifo = folder.file("fifo.npy")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(invalidFileMessage { _ = try Tensor(npyContentsOf: fifo) }?.contains("not a regular file") == true)
        let empty = try folder.write([], to: "empty.npy")
        #expect(invalidFileMessage { _ = try Tensor(npyContentsOf: empty) }?.contains("magic") == true)
    }

    // MARK: npz and zip

    /// All `.npy` members of an in-memory archive, read the way `NpzArchive` reads them.
    private func readArchive(_ bytes: [UInt8]) throws -> [String: Tensor] {
        try bytes.withUnsafeBytes { raw in
            let directory = try ZipDirectory(raw, path: "archive")
            var out: [String: Tensor] = [:]
            for e in directory.entries where e.name.hasSuffix(".npy") {
                out[e.name] = try directory.withContents(of: e, in: raw, path: "archive") {
                    try Tensor.readNpy($0, name: e.name)
                }
            }
            return out
        }
    }

    @Test func everyTruncatedNpzThrows() throws {
        for name in ["small_stored", "small_compressed", "zip64"] {
            let bytes = try IOFixtures.bytes("npz/\(name).npz")
            #expect(try readArchive(bytes).count == 2)
            for n in 0..<bytes.count {
                #expect(throws: TensorError.self, "\(name) prefix \(n)") { _ = try readArchive(Array(bytes[..<n])) }
            }
        }
    }

    /// Flipping any single byte either makes reading fail or leaves every array it still finds
    /// unchanged: CRC-32, sizes and the inflater catch every change that matters.
    @Test func everyFlippedNpzByteThrowsOrReadsTheSameArrays() throws {
        for name in ["small_stored", "small_compressed", "zip64"] {
            let bytes = try IOFixtures.bytes("npz/\(name).npz")
            let original = try readArchive(bytes)
            for i in bytes.indices {
                var flipped = bytes
                flipped[i] ^= 0xFF
                guard let arrays = try? readArchive(flipped) else { continue }
                for (member, t) in arrays {
                    let o = original[member]
                    #expect(o?.shape == t.shape && o?.scalars == t.scalars, "\(name) byte \(i) member \(member)")
                }
            }
        }
    }

    /// Random corruption inside large dynamic-Huffman members.
    @Test func randomlyCorruptedCompressedNpzThrowsOrReadsTheSameArrays() throws {
        let bytes = try IOFixtures.bytes("npz/compressed.npz")
        let original = try readArchive(bytes)
        var rng = SeededGenerator(seed: 7)
        var failures = 0
        for _ in 0..<40 {
            var corrupted = bytes
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            corrupted[i] ^= UInt8.random(in: 1...255, using: &rng)
            guard let arrays = try? readArchive(corrupted) else { failures += 1; continue }
            for (member, t) in arrays { #expect(original[member]?.scalars == t.scalars, "byte \(i) member \(member)") }
        }
        #expect(failures > 30)
    }

    @Test func zipDirectoryErrorsNameTheRecord() throws {
        let stored = try IOFixtures.bytes("npz/small_stored.npz")
        // Flip a data byte of member a.npy (after its 30-byte local header, name and extra field).
        let dataStart = 30 + Int(stored[26]) + Int(stored[27]) << 8 + Int(stored[28]) + Int(stored[29]) << 8
        var badData = stored
        badData[dataStart + 130] ^= 1
        let crc = invalidFileMessage { _ = try readArchive(badData) }
        #expect(crc?.contains("member 'a.npy': CRC-32") == true)

        let compressed = try IOFixtures.bytes("npz/small_compressed.npz")
        let end = compressed.count - 22
        let directory = Int(compressed[end + 16]) | Int(compressed[end + 17]) << 8
        var huge = compressed
        huge.replaceSubrange((directory + 24)..<(directory + 28), with: [0xF0, 0xFF, 0xFF, 0x7F])
        #expect(invalidFileMessage { _ = try readArchive(huge) }?.contains("cannot come from") == true)
        var longer = compressed
        longer.replaceSubrange((directory + 20)..<(directory + 24), with: [0x00, 0x00, 0x01, 0x00])
        #expect(invalidFileMessage { _ = try readArchive(longer) }?.contains("run past the end") == true)
        var outside = compressed
        outside[end + 19] = 0x40
        #expect(invalidFileMessage { _ = try readArchive(outside) }?.contains("outside the archive") == true)
        var method = compressed
        method[directory + 10] = 12
        #expect(invalidFileMessage { _ = try readArchive(method) }?.contains("compression method 12") == true)
        #expect(invalidFileMessage { _ = try readArchive(Array(repeating: 0, count: 100)) }?
            .contains("end-of-central-directory") == true)
    }

    // MARK: deflate

    /// Writes deflate bit fields: values first bit lowest, Huffman codes first bit highest.
    private struct BitWriter {
        var bytes: [UInt8] = []
        private var bit = 0

        mutating func put(_ value: Int, _ count: Int) {
            for i in 0..<count {
                if bit == 0 { bytes.append(0) }
                bytes[bytes.count - 1] |= UInt8((value >> i) & 1) << bit
                bit = (bit + 1) % 8
            }
        }

        mutating func code(_ value: Int, _ length: Int) {
            for i in stride(from: length - 1, through: 0, by: -1) { put((value >> i) & 1, 1) }
        }
    }

    private func inflate(_ stream: [UInt8], size: Int) -> String? {
        do {
            _ = try stream.withUnsafeBytes { try Inflater.inflate($0, expectedSize: size) }
            return nil
        } catch let error as InflateError {
            return error.reason
        } catch {
            return "unexpected error \(error)"
        }
    }

    /// A dynamic-block header (BFINAL=1, BTYPE=2) with the given counts and code-length code lengths.
    private func dynamicHeader(literals: Int = 257, distances: Int = 1, codeLengths: [Int]) -> BitWriter {
        var w = BitWriter()
        w.put(1, 1); w.put(2, 2)
        w.put(literals - 257, 5); w.put(distances - 1, 5); w.put(codeLengths.count - 4, 4)
        for l in codeLengths { w.put(l, 3) }
        return w
    }

    @Test func corruptDeflateStreamsThrowNamingTheProblem() {
        var cases: [(BitWriter, String)] = []
        var w = BitWriter()
        w.put(1, 1); w.put(3, 2)
        cases.append((w, "invalid block type 3"))
        w = BitWriter()
        w.put(1, 1); w.put(0, 2); w.put(0, 5); w.put(5, 16); w.put(0, 16)
        cases.append((w, "does not match its complement"))
        w = BitWriter()
        w.put(1, 1); w.put(0, 2); w.put(0, 5); w.put(5, 16); w.put(0xFFFA, 16); w.put(7, 8)
        cases.append((w, "input ends"))
        w = BitWriter()
        w.put(1, 1); w.put(1, 2); w.code(0b000_0001, 7); w.code(0, 5)
        cases.append((w, "distance 1 reaches before the start"))
        w = BitWriter()
        w.put(1, 1); w.put(1, 2); w.code(0x30 + 65, 8); w.code(0b000_0001, 7); w.code(30, 5)
        cases.append((w, "invalid distance symbol 30"))
        w = BitWriter()
        w.put(1, 1); w.put(1, 2); w.code(0xC6, 8)
        cases.append((w, "invalid length symbol 286"))
        cases.append((dynamicHeader(codeLengths: [1, 1, 1, 1]), "over-subscribed code-length code"))
        cases.append((dynamicHeader(codeLengths: [1, 0, 0, 0]), "incomplete code-length code"))
        w = dynamicHeader(codeLengths: [1, 1, 0, 0])
        w.code(0, 1)
        cases.append((w, "repeat with no previous length"))
        cases.append((dynamicHeader(literals: 288, codeLengths: [1, 1, 0, 0]), "declares 288"))
        w = dynamicHeader(codeLengths: [0, 1, 1, 0])
        w.code(1, 1); w.put(127, 7); w.code(1, 1); w.put(109, 7)
        cases.append((w, "no end-of-block code"))
        for (stream, fragment) in cases {
            let reason = inflate(stream.bytes, size: 16)
            #expect(reason?.contains(fragment) == true, "\(fragment): \(reason ?? "no error")")
        }
        #expect(inflate([], size: 0)?.contains("input ends") == true)
    }

    @Test func deflateOutputMustMatchTheDeclaredSize() throws {
        let stream = try IOFixtures.bytes("deflate/level9.bin")
        #expect(inflate(stream, size: 65536) == nil)
        #expect(inflate(stream, size: 100)?.contains("exceeds the declared 100 bytes") == true)
        #expect(inflate(stream, size: 65537)?.contains("ends after 65536 bytes") == true)
    }

    @Test func truncatedDeflateStreamsThrow() throws {
        for name in ["level9", "fixed", "stored", "huffman"] {
            let stream = try IOFixtures.bytes("deflate/\(name).bin")
            for n in Array(0..<48) + Array(stride(from: 48, to: stream.count, by: 997)) + [stream.count - 1] {
                #expect(inflate(Array(stream[..<n]), size: 65536) != nil, "\(name) prefix \(n)")
            }
        }
    }

    // MARK: safetensors

    /// A safetensors file: 8-byte length, `header`, then `data` zero bytes.
    private func safetensors(_ header: String, data: Int, length: UInt64? = nil) -> [UInt8] {
        let text = Array(header.utf8)
        var out: [UInt8] = []
        out.append(le: length ?? UInt64(text.count))
        return out + text + [UInt8](repeating: 0, count: data)
    }

    private func openMessage(_ bytes: [UInt8], _ folder: ScratchFolder) throws -> String? {
        let path = try folder.write(bytes, to: "t.safetensors")
        return invalidFileMessage { _ = try SafetensorsFile(path: path) }
    }

    @Test func everyTruncatedSafetensorsThrows() throws {
        let folder = try ScratchFolder()
        let bytes = try IOFixtures.bytes("safetensors/model.safetensors")
        for n in 0..<bytes.count {
            #expect(try openMessage(Array(bytes[..<n]), folder) != nil, "prefix \(n)")
        }
        #expect(try openMessage(bytes + [0], folder)?.contains("data region") == true)
    }

    /// A flipped data byte changes exactly one tensor; a flipped header byte makes opening fail or
    /// yields a file whose every tensor still reads with its declared shape.
    @Test func everyFlippedSafetensorsByteIsCaughtOrHarmless() throws {
        let folder = try ScratchFolder()
        let bytes = try IOFixtures.bytes("safetensors/model.safetensors")
        let original = try SafetensorsFile(path: IOFixtures.path("safetensors/model.safetensors"))
        let dataStart = 8 + Int(bytes[0]) + Int(bytes[1]) << 8
        for i in bytes.indices {
            var flipped = bytes
            flipped[i] ^= 0xFF
            let path = try folder.write(flipped, to: "f.safetensors")
            guard let file = try? SafetensorsFile(path: path) else {
                #expect(i < dataStart, "data byte \(i) broke the header")
                continue
            }
            var changed = 0
            for name in file.names {
                guard let t = try? file.tensor(name) else { continue }
                #expect(try t.shape == file.shape(of: name))
                let o = try original.tensor(name)
                if i >= dataStart, t.scalars != o.scalars || t.intScalars != o.intScalars { changed += 1 }
            }
            if i >= dataStart { #expect(changed == 1, "data byte \(i)") }
        }
    }

    @Test func safetensorsHeaderErrorsNameTheTensorAndField() throws {
        let folder = try ScratchFolder()
        let good = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        #expect(try openMessage(safetensors(good, data: 8), folder) == nil)
        func tensor(_ body: String) -> String { #"{"w":{\#(body)}}"# }
        let cases: [(String, Int, [String])] = [
            (tensor(#""dtype":"F32","shape":[2],"data_offsets":[0,1000]"#), 8, ["'w'", "[0, 1000]", "8-byte data region"]),
            (tensor(#""dtype":"F32","shape":[0],"data_offsets":[8,0]"#), 8, ["'w'", "begin after they end"]),
            (tensor(#""dtype":"F32","shape":[3],"data_offsets":[0,8]"#), 8, ["'w'", "needs 12 bytes", "span 8"]),
            (tensor(#""dtype":"F7","shape":[2],"data_offsets":[0,8]"#), 8, ["'w'", "unknown dtype 'F7'"]),
            (tensor(#""shape":[2],"data_offsets":[0,8]"#), 8, ["'w'", "'dtype'"]),
            (tensor(#""dtype":"F32","shape":[-2],"data_offsets":[0,8]"#), 8, ["'w'", "'shape'", "[-2]"]),
            (tensor(#""dtype":"F32","shape":[2.0],"data_offsets":[0,8]"#), 8, ["'shape'"]),
            (tensor(#""dtype":"F32","shape":[2],"data_offsets":[0,8.0]"#), 8, ["'data_offsets'"]),
            (tensor(#""dtype":"F32","shape":[2],"data_offsets":[0,8,9]"#), 8, ["'data_offsets'"]),
            (tensor(#""dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]"#), 8, ["'data_offsets'"]),
            (tensor(#""dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]"#), 8, ["overflows"]),
            (#"{"w":5}"#, 0, ["'w'", "must be an object"]),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
             12, ["'b'", "gaps or overlaps"]),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
             12, ["'b'", "gaps or overlaps"]),
            (good, 12, ["cover 8 bytes", "12 bytes"]),
            (#"{"__metadata__":{"a":1}}"#, 0, ["'__metadata__' key 'a'"]),
            (#"{"__metadata__":"x"}"#, 0, ["'__metadata__'"]),
            (#"{"w":1,"w":2}"#, 0, ["duplicate key \"w\""]),
            (#"{"w":"#, 0, ["not valid JSON", "text ends"]),
            ("{'w': 1}", 0, ["not valid JSON"]),
            (tensor(#""dtype":"F32",}"#), 0, ["not valid JSON"]),
            ("[1]", 0, ["not a JSON object"]),
            (#"{"w":"#  + String(repeating: "[", count: 100_000), 0, ["nesting"]),
            ("{\"w\u{1}\":1}", 0, ["control character"]),
            ("", 0, ["not valid JSON"]),
        ]
        for (header, data, fragments) in cases {
            let message = try openMessage(safetensors(header, data: data), folder)
            for f in fragments { #expect(message?.contains(f) == true, "\(header.prefix(80)): \(message ?? "no error")") }
        }
        var badUTF8 = safetensors(#"{"w?":1}"#, data: 0)
        badUTF8[11] = 0xFF
        #expect(try openMessage(badUTF8, folder)?.contains("UTF-8") == true)
        #expect(try openMessage(safetensors(good, data: 8, length: 1000), folder)?.contains("header length 1000 exceeds") == true)
        #expect(try openMessage(safetensors(good, data: 8, length: 1 << 63), folder)?.contains("limit") == true)
        #expect(try openMessage([1, 2, 3], folder)?.contains("8-byte header length") == true)
    }

    // MARK: JSON

    @Test func jsonParserAcceptsValidTextAndRejectsMalformedText() throws {
        let text = #" {"a": [1, -2.5e3, true, false, null], "b": "x\n\u00e9\ud83d\ude00\/", "c": {}} "#
        let value = try JSONValue.parse(Array(text.utf8))
        let expected = JSONValue.object([
            ("a", .array([.integer(1), .number(-2.5e3), .bool(true), .bool(false), .null])),
            ("b", .string("x\né😀/")), ("c", .object([])),
        ])
        #expect(value == expected)
        #expect(expected.serialized == #"{"a":[1,-2500.0,true,false,null],"b":"x\né😀/","c":{}}"#)
        #expect(JSONValue.quoted("\u{1}\t") == #""\u0001\t""#)
        let bad = ["", "{", "[1,]", "01", "1.", "-", "1e", #""\x""#, #""\ud800""#, #""\udc00""#, "tru", #"{"a" 1}"#,
                   "{1:2}", "[1 2]", #""abc"#, "nul", "1 2", "[", "{\"a\":1,}"]
        for b in bad {
            #expect(throws: JSONSyntaxError.self, "\(b)") { try JSONValue.parse(Array(b.utf8)) }
        }
    }
}
