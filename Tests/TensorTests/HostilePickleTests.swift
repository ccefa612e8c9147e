import Foundation
import Testing
@testable import Tensor

/// Hostile `.pth` files made in the test: pickles that would run code, lie about sizes and offsets, abuse the
/// memo or nest without end. Each must be a typed error (the forbidden global named), never code run, a crash
/// or a large allocation.
@Suite struct HostilePickleTests {
    /// A PyTorch zip checkpoint holding `pickle` as `archive/data.pkl` and `storages` as `archive/data/KEY`.
    static func checkpoint(_ pickle: [UInt8], storages: [(String, [UInt8])] = [], in folder: ScratchFolder) throws -> String {
        let path = folder.file("model.pth")
        var zip = try ZipWriter(path: path)
        try zip.add("archive/data.pkl", pickle)
        try zip.add("archive/byteorder", Array("little".utf8))
        for (key, bytes) in storages { try zip.add("archive/data/\(key)", bytes) }
        try zip.finish()
        return path
    }

    static func error(_ pickle: [UInt8], storages: [(String, [UInt8])] = []) throws -> any Error {
        let folder = try ScratchFolder()
        let path = try checkpoint(pickle, storages: storages, in: folder)
        do {
            _ = try PyTorchCheckpoint(path: path)
        } catch {
            return error
        }
        Issue.record("loaded without error")
        return TensorError.invalidFile(path: "", reason: "")
    }

    static func forbidden(_ error: any Error) -> String? {
        if case .forbiddenGlobal(let global, _, _)? = error as? PickleError { return global }
        return nil
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static let rebuild = bytes("ctorch._utils\n_rebuild_tensor_v2\n")
    /// `('storage', torch.FloatStorage, '0', 'cpu', numel)` then BINPERSID.
    static func storage(numel: UInt8) -> [UInt8] {
        bytes("(X\u{7}\0\0\0storagectorch\nFloatStorage\nX\u{1}\0\0\0" + "0X\u{3}\0\0\0cpuK") + [numel, 0x74, 0x51]
    }
    /// `{'w': _rebuild_tensor_v2(storage, offset, (size,), (stride,), False, ())}`.
    static func tensorPickle(numel: UInt8, offset: UInt8, size: UInt8, stride: UInt8) -> [UInt8] {
        [0x80, 0x02, 0x7D] + bytes("X\u{1}\0\0\0w") + rebuild + [0x28] + storage(numel: numel)
            + [0x4B, offset, 0x4B, size, 0x85, 0x4B, stride, 0x85, 0x89, 0x29, 0x74, 0x52, 0x73, 0x2E]
    }

    @Test("globals that would run code are refused by name")
    func forbiddenGlobals() throws {
        #expect(Self.forbidden(try Self.error(Self.bytes("cos\nsystem\n(S'echo pwned'\ntR."))) == "os.system")
        #expect(Self.forbidden(try Self.error([0x80, 0x02] + Self.bytes("cbuiltins\neval\nX\u{3}\0\0\0" + "1+1") + [0x85, 0x52, 0x2E]))
                == "builtins.eval")
        let posix: [UInt8] = [0x80, 0x04, 0x8C, 0x05] + Self.bytes("posix") + [0x8C, 0x06] + Self.bytes("system")
            + [0x93, 0x8C, 0x02] + Self.bytes("id") + [0x85, 0x52, 0x2E]
        #expect(Self.forbidden(try Self.error(posix)) == "posix.system")
        #expect(Self.forbidden(try Self.error([0x28, 0x4B, 0x01] + Self.bytes("ios\nsystem\n."))) == "os.system")
        #expect(Self.forbidden(try Self.error(Self.bytes("c__builtin__\ngetattr\n."))) == "__builtin__.getattr")
        #expect(Self.forbidden(try Self.error(Self.bytes("ctorch\nload\n."))) == "torch.load")
        let message = "\(PickleError.forbiddenGlobal("os.system", path: "m.pth", offset: 0))"
        #expect(message.contains("os.system") && message.contains("m.pth"))
    }

    @Test("a well-formed tensor loads; offsets and sizes past the storage, and wrong storage sizes, are refused")
    func offsetsAndSizes() throws {
        let folder = try ScratchFolder()
        let floats: [Float] = [1, 2, 3, 4]
        let data = floats.withUnsafeBytes { Array($0) }
        let good = try PyTorchCheckpoint(path: Self.checkpoint(Self.tensorPickle(numel: 4, offset: 1, size: 3, stride: 1),
                                                               storages: [("0", data)], in: folder))
        #expect(try good.tensor("w").scalars == [2, 3, 4])
        let past = "\(try Self.error(Self.tensorPickle(numel: 4, offset: 2, size: 3, stride: 1), storages: [("0", data)]))"
        #expect(past.contains("reads past the 4 elements"), "\(past)")
        let strided = "\(try Self.error(Self.tensorPickle(numel: 4, offset: 0, size: 3, stride: 2), storages: [("0", data)]))"
        #expect(strided.contains("reads past"), "\(strided)")
        let short = "\(try Self.error(Self.tensorPickle(numel: 4, offset: 0, size: 1, stride: 1), storages: [("0", Array(data[..<8]))]))"
        #expect(short.contains("holds 8 bytes"), "\(short)")
        let missing = "\(try Self.error(Self.tensorPickle(numel: 4, offset: 0, size: 1, stride: 1)))"
        #expect(missing.contains("no member"), "\(missing)")
    }

    @Test("huge lengths, memo abuse, stack bombs and deep nesting are malformed pickles, not crashes")
    func malformedPickles() throws {
        func malformed(_ pickle: [UInt8]) throws -> String {
            let error = try Self.error(pickle)
            guard case .malformed(_, _, let reason)? = error as? PickleError else { return "not malformed: \(error)" }
            return reason
        }
        #expect(try malformed([0x80, 0x02, 0x58, 0xFF, 0xFF, 0xFF, 0xFF]).contains("runs past the end"))
        #expect(try malformed([0x80, 0x02, 0x8D] + [UInt8](repeating: 0xFF, count: 8)).contains("too large"))
        #expect(try malformed([0x80, 0x02, 0x6A, 0xFF, 0xFF, 0xFF, 0x7F, 0x2E]).contains("before it is written"))
        #expect(try malformed([0x80, 0x02, 0x29] + [UInt8](repeating: 0x85, count: 5000) + [0x2E]).contains("nest deeper"))
        #expect(try malformed([0x80, 0x02, 0x5D, 0x71, 0x00] + [UInt8](repeating: 0x68, count: 400) + [0x00]
                              + [UInt8](repeating: 0x61, count: 300) + [0x2E]).isEmpty == false)
        #expect(try malformed([0x80, 0x02] + [UInt8](repeating: 0x28, count: 100_000) + [0x2E]).contains("STOP"))
        #expect(try malformed([0x80, 0x02, 0x8A, 0x09] + [UInt8](repeating: 1, count: 9) + [0x2E]).contains("64 bits"))
        #expect(try malformed([0x80, 0x02, 0x52]).contains("stack is empty"))
        #expect(try malformed([0x80, 0x02, 0x4E, 0x29, 0x52, 0x2E]).contains("not callable"))
        #expect(try malformed([0x80, 0x02, 0x4E]).contains("past the end"))
        #expect(try malformed([0x80, 0x02, 0x81, 0x2E]).contains("not supported"))
        let notDict = "\(try Self.error([0x80, 0x02, 0x4B, 0x05, 0x2E]))"
        #expect(notDict.contains("not a dict of tensors"))
    }

    @Test("legacy (non-zip) checkpoints are recognised and refused")
    func legacy() throws {
        let folder = try ScratchFolder()
        let path = try folder.write([0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E], to: "old.pth")
        let message = invalidFileMessage { _ = try PyTorchCheckpoint(path: path) }
        #expect(message?.contains("legacy") == true)
    }

    @Test("every truncation and every byte flip of a real torch.save file throws or reads the same tensors")
    func truncationsAndFlips() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/models/pth/zoo.pth")
        let original = try IOFixtures.read(url.path)
        let folder = try ScratchFolder()
        let reference = try PyTorchCheckpoint(path: url.path)
        for length in stride(from: 0, to: original.count, by: 7) {
            let path = try folder.write(Array(original[..<length]), to: "t.pth")
            #expect(throws: (any Error).self) { _ = try PyTorchCheckpoint(path: path) }
        }
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<300 {
            var bytes = original
            let i = Int(generator.next() % UInt64(bytes.count))
            bytes[i] ^= UInt8(1 << (generator.next() % 8))
            let path = try folder.write(bytes, to: "f.pth")
            guard let file = try? PyTorchCheckpoint(path: path) else { continue }
            for name in file.names {
                guard let t = try? file.tensor(name), let r = try? reference.tensor(name) else { continue }
                _ = t.converted(to: .float32).scalars.count + r.count
            }
        }
    }
}
