import Foundation
import Testing
@testable import Tensor

/// Sizes from outside input: overflow-checked products (a zero extent does not hide an overflowing one), the
/// memory budget, and archives whose output is bounded by what they really decode.
@Suite struct SizeBudgetTests {
    @Test func checkedProducts() {
        #expect(CheckedSize.product([2, 3, 4]) == 24)
        #expect(CheckedSize.product([]) == 1)
        #expect(CheckedSize.product([0, 5]) == 0)
        #expect(CheckedSize.product([0, 1 << 62, 4]) == nil)
        #expect(CheckedSize.product([-1, 4]) == nil)
        #expect(CheckedSize.sum([Int.max, 1]) == nil)
        #expect(CheckedSize.sum([1, nil]) == nil)
        #expect(MemoryBudget.parseSize("2G") == 2 << 30)
        #expect(MemoryBudget.parseSize("512m") == 512 << 20)
        #expect(MemoryBudget.parseSize("x") == nil)
        #expect(MemoryBudget.current.availableBytes > 0)
        let message = "\(TensorError.insufficientMemory(what: "a tensor", needed: 3 << 30, available: 1 << 30))"
        #expect(message.contains("a tensor needs 3221225472 bytes (3.0 GiB)") && message.contains("1.0 GiB"))
        #expect(throws: TensorError.insufficientMemory(what: "x", needed: nil, available: 10)) {
            try MemoryBudget(availableBytes: 10).check(needed: nil, what: "x")
        }
    }

    /// `.npy` header with `shape` and no data.
    static func npyHeader(_ shape: String) -> [UInt8] {
        var text = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
        text += String(repeating: " ", count: (64 - (10 + text.utf8.count + 1) % 64) % 64) + "\n"
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)] + Array(text.utf8)
    }

    @Test("a zero extent next to huge ones, and negative or overflowing shapes, are refused in npy and safetensors")
    func zeroExtents() throws {
        for shape in ["(0, 4611686018427387904, 4)", "(1099511627776, 1099511627776)", "(-1, 4)"] {
            #expect(throws: TensorError.self, "\(shape)") { try Tensor.readNpy(from: Self.npyHeader(shape)) }
        }
        let folder = try ScratchFolder()
        let header = Array(#"{"w":{"dtype":"F32","shape":[0,4611686018427387904,8],"data_offsets":[0,0]}}"#.utf8)
        let length = withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) }
        let path = try folder.write(length + header, to: "z.safetensors")
        #expect(invalidFileMessage { _ = try SafetensorsFile(path: path) }?.contains("overflows") == true)
    }

    /// A one-member deflated zip of `stream` whose directory declares `declared` uncompressed bytes.
    static func deflatedZip(_ stream: [UInt8], declared: Int, crc: UInt32) -> [UInt8] {
        func u16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF)] }
        func u32(_ v: Int) -> [UInt8] { u16(v & 0xFFFF) + u16(v >> 16 & 0xFFFF) }
        let name = Array("z.npy".utf8), c = Int(crc)
        let local = u32(0x0403_4B50) + u16(20) + u16(0) + u16(8) + u16(0) + u16(0) + u32(c) + u32(stream.count)
            + u32(declared) + u16(name.count) + u16(0) + name
        let central = u32(0x0201_4B50) + u16(20) + u16(20) + u16(0) + u16(8) + u16(0) + u16(0) + u32(c)
            + u32(stream.count) + u32(declared) + u16(name.count) + u16(0) + u16(0) + u16(0) + u16(0) + u32(0) + u32(0) + name
        let end = u32(0x0605_4B50) + u16(0) + u16(0) + u16(1) + u16(1) + u32(central.count)
            + u32(local.count + stream.count) + u16(0)
        return local + stream + central + end
    }

    /// Fixed-Huffman deflate of `n` zero bytes: one literal 0 then length-258 copies at distance 1.
    static func zeros(_ n: Int) -> [UInt8] {
        var bits: [Int] = [1, 1, 0]  // final block, fixed codes (type 1, low bit first)
        func code(_ value: Int, _ length: Int) { for i in stride(from: length - 1, through: 0, by: -1) { bits.append((value >> i) & 1) } }
        code(0x30, 8)  // literal 0
        for _ in 0..<((n - 1) / 258) { code(0b1100_0101, 8); code(0, 5) }  // length 258 (symbol 285), distance 1
        code(0, 7)  // end of block
        var out = [UInt8](repeating: 0, count: (bits.count + 7) / 8)
        for (i, b) in bits.enumerated() where b == 1 { out[i / 8] |= 1 << (i % 8) }
        return out
    }

    @Test("inflate output grows with what the stream decodes and stops at the budget")
    func inflateBudget() throws {
        let size = 1 + 258 * 70_000  // about 18 MB of zeros from about 44 KB
        let stream = Self.zeros(size)
        let out = try stream.withUnsafeBytes { try Inflater.inflate($0, expectedSize: size) }
        #expect(out.count == size && out[0] == 0 && out[size / 2] == 0 && out[size - 1] == 0)
        do {
            _ = try stream.withUnsafeBytes { try Inflater.inflate($0, expectedSize: size, budget: MemoryBudget(availableBytes: 10 << 20)) }
            Issue.record("an 18 MB output was accepted under a 10 MiB budget")
        } catch let error as InflateError {
            #expect(error.memory != nil, "\(error.reason)")
        }
        // A stream that declares 4 GB but holds a few bytes fails after decoding what it has, allocating little.
        let folder = try ScratchFolder()
        let lie = Self.deflatedZip(Self.zeros(1 + 258 * 10), declared: 0xFFFF_FFF0, crc: 0)
        let path = try folder.write(lie, to: "lie.npz")
        let message = invalidFileMessage { _ = try NpzArchive(contentsOf: path).tensor("z") }
        #expect(message?.contains("cannot come from") == true || message?.contains("ends after") == true, "\(message ?? "none")")
    }
}
