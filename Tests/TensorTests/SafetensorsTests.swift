import Foundation
import Testing
@testable import Tensor

/// safetensors files written by the `safetensors` 0.8 Python library (`Scripts/fixtures/tensor_io.py`);
/// values follow the script's formulas and are compared exactly.
@Suite struct SafetensorsTests {
    private let modelPath = IOFixtures.path("safetensors/model.safetensors")

    /// The fixture's tensors rebuilt in Swift, in the reference writer's order (dtype, then name).
    private var expected: [(String, Tensor)] {
        [
            ("ids_i64", Tensor(ints: [0, 5, -7, 1 << 40], shape: [4])),
            ("empty", Tensor(zeros: [0, 4])),
            ("scalar", Tensor(scalar: 2.5)),
            ("w_f32", Tensor((0..<12).map { Float($0) * 0.5 }, shape: [3, 4])),
            ("ids_i32", Tensor(ints: Array(-3..<3), shape: [2, 3], dtype: .int32)),
            ("w_bf16", Tensor((0..<8).map { Float($0) * 0.5 - 2 }, shape: [8]).converted(to: .bfloat16)),
            ("w_f16", Tensor((0..<6).map { Float($0) * 0.25 - 1 }, shape: [2, 3]).converted(to: .float16)),
        ]
    }

    @Test func readsTensorsWrittenByTheReferenceLibrary() throws {
        let file = try SafetensorsFile(path: modelPath)
        #expect(file.names == expected.map(\.0))
        #expect(file.metadata == ["format": "pt"])
        for (name, t) in expected {
            let loaded = try file.tensor(name)
            #expect(try file.shape(of: name) == t.shape && loaded.shape == t.shape, "\(name)")
            #expect(try file.dtype(of: name) == t.dtype && loaded.dtype == t.dtype, "\(name)")
            #expect(loaded.scalars == t.scalars && loaded.intScalars == t.intScalars, "\(name)")
        }
        #expect(try file.storedDType(of: "w_bf16") == "BF16")
    }

    /// Aligned native tensors are views of the mapping: same-dtype tensors share one borrowed storage
    /// larger than either of them.
    @Test func nativeTensorsAreZeroCopyViews() throws {
        let file = try SafetensorsFile(path: modelPath)
        let w = try file.tensor("w_f32"), s = try file.tensor("scalar")
        #expect(w.storage === s.storage)
        #expect(w.storage.count > w.count && w.offset > 0)
        #expect(try file.tensor("w_bf16").storage.count > 8)
    }

    /// A write to a loaded tensor copies its storage first: the mapping, the file and other
    /// tensors read from it are unchanged, whether or not the file object is still alive.
    @Test func writingToALoadedTensorCopiesFirst() throws {
        let before = try IOFixtures.bytes("safetensors/model.safetensors")
        let file = try SafetensorsFile(path: modelPath)
        var t = try file.tensor("w_f32")
        let borrowed = t.storage
        t[0, 0] = Tensor(scalar: 42)
        #expect(t.storage !== borrowed)
        #expect(t.value(at: [0, 0]) == 42 && t.value(at: [0, 1]) == 0.5)
        #expect(try file.tensor("w_f32").value(at: [0, 0]) == 0)
        var orphan = try SafetensorsFile(path: modelPath).tensor("w_f16")
        orphan[1, 2] = Tensor(scalar: -8)
        #expect(orphan.value(at: [1, 2]) == -8)
        #expect(try IOFixtures.bytes("safetensors/model.safetensors") == before)
    }

    @Test func convertsOtherDTypes() throws {
        let file = try SafetensorsFile(path: IOFixtures.path("safetensors/convert.safetensors"))
        let f64 = try file.tensor("f64")
        #expect(f64.dtype == .float32 && f64.scalars == (0..<4).map { Float(Double($0) / 3) })
        #expect(try file.tensor("bool").scalars == [1, 0, 1])
        for (name, values, dtype) in [("u8", [0, 200, 255], DType.int32), ("i8", [-128, 0, 127], .int32),
                                      ("i16", [-300, 300], .int32), ("u16", [65535], .int32),
                                      ("u32", [4_294_967_295], .int64), ("u64", [1 << 62], .int64)] {
            let t = try file.tensor(name)
            #expect(t.dtype == dtype && t.intScalars == values, "\(name)")
        }
    }

    @Test func rejectsEightBitFloatsNamingTensorAndDType() throws {
        let file = try SafetensorsFile(path: IOFixtures.path("safetensors/f8.safetensors"))
        #expect(try file.tensor("ok").scalars == [1, 1])
        let message = invalidFileMessage { _ = try file.tensor("f8") }
        #expect(message?.contains("'f8'") == true && message?.contains("F8_E4M3") == true)
        let missing = invalidFileMessage { _ = try file.tensor("nope") }
        #expect(missing?.contains("'nope'") == true && missing?.contains("f8.safetensors") == true)
    }

    /// Given the reference order, our bytes equal the reference library's, header padding included.
    @Test func writerMatchesReferenceBytes() throws {
        let folder = try ScratchFolder()
        let ours = folder.file("ours.safetensors")
        try SafetensorsFile.write(expected, metadata: ["format": "pt"], to: ours)
        #expect(try IOFixtures.read(ours) == IOFixtures.bytes("safetensors/model.safetensors"))
        let file = try SafetensorsFile(path: modelPath)
        let reloaded = try file.names.map { ($0, try file.tensor($0)) }
        try SafetensorsFile.write(reloaded, metadata: file.metadata, to: ours)
        #expect(try IOFixtures.read(ours) == IOFixtures.bytes("safetensors/model.safetensors"))
    }

    @Test func roundTripsViewsAndEveryDType() throws {
        let folder = try ScratchFolder()
        let path = folder.file("round.safetensors")
        let base = Tensor.randomNormal([3, 5, 2], seed: 11)
        let tensors: [(String, Tensor)] = [
            ("odd_f16", base[0, 0..<3, 0].converted(to: .float16)),
            ("permuted", base.permuted([2, 0, 1])),
            ("bf16", base.converted(to: .bfloat16)),
            ("i64", Tensor(ints: [Int(Int64.min), Int(Int64.max)], shape: [2])),
            ("i32", Tensor(ints: [1, -2, 3], shape: [3, 1], dtype: .int32)),
            ("sliced", base[.stride(nil, nil, by: -1), 1...3]),
        ]
        try SafetensorsFile.write(tensors, metadata: ["note": "line\n\"quoted\" é"], to: path)
        try SafetensorsFile.write(tensors, metadata: ["note": "line\n\"quoted\" é"], to: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["round.safetensors"])
        let file = try SafetensorsFile(path: path)
        #expect(file.names == tensors.map(\.0) && file.metadata == ["note": "line\n\"quoted\" é"])
        for (name, t) in tensors {
            let back = try file.tensor(name)
            #expect(back.shape == t.shape && back.dtype == t.dtype, "\(name)")
            #expect(back.scalars == t.scalars && back.intScalars == t.intScalars, "\(name)")
        }
    }

    /// A header whose length is not a multiple of 8 leaves F32 data unaligned: it is copied, not borrowed.
    @Test func unalignedDataIsCopied() throws {
        let folder = try ScratchFolder()
        let header = Array(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#.utf8)
        var bytes: [UInt8] = []
        bytes.append(le: UInt64(header.count))
        bytes += header
        bytes.append(le: Float(1.5).bitPattern, Float(-2).bitPattern)
        #expect((8 + header.count) % 4 != 0)
        let t = try SafetensorsFile(path: folder.write(bytes, to: "odd.safetensors")).tensor("w")
        #expect(t.scalars == [1.5, -2] && t.storage.count == 2 && t.offset == 0)
    }

    @Test func readsShardedCheckpoints() throws {
        let index = IOFixtures.path("safetensors/sharded/model.safetensors.index.json")
        let sharded = try ShardedSafetensors(indexPath: index)
        #expect(sharded.names == ["blocks.0.w", "blocks.1.w", "embed.weight", "unembed.weight"])
        #expect(sharded.metadata == ["total_size": "64"])
        #expect(try sharded.tensor("embed.weight").scalars == (0..<6).map(Float.init))
        #expect(try sharded.tensor("blocks.0.w").dtype == .bfloat16)
        #expect(try sharded.tensor("blocks.1.w").scalars == [10, 11, 12, 13])
        #expect(try sharded.shape(of: "unembed.weight") == [3, 2])
        #expect(try sharded.tensor("unembed.weight").scalars == (0..<6).map { -Float($0) })
        let folder = try SafetensorsCheckpoint.open(IOFixtures.path("safetensors/sharded"))
        #expect(folder.names == sharded.names)
        #expect(try folder.dtype(of: "blocks.1.w") == .float16)
        #expect(try SafetensorsCheckpoint.open(modelPath).names == expected.map(\.0))
    }

    @Test func shardedErrorsNameTheIndexShardAndTensor() throws {
        let folder = try ScratchFolder()
        let shard = "model-00001-of-00002.safetensors"
        try folder.write(IOFixtures.bytes("safetensors/sharded/\(shard)"), to: shard)
        func index(_ weightMap: String) throws -> String? {
            let path = try folder.write(Array(#"{"metadata": {}, "weight_map": {\#(weightMap)}}"#.utf8), to: "index.json")
            return invalidFileMessage { _ = try ShardedSafetensors(indexPath: path) }
        }
        let missingShard = try index(#""embed.weight": "\#(shard)", "b": "model-00002-of-00002.safetensors""#)
        #expect(missingShard?.contains("index.json") == true)
        #expect(missingShard?.contains("model-00002-of-00002.safetensors") == true)
        let missingTensor = try index(#""ghost": "\#(shard)""#)
        #expect(missingTensor?.contains("'ghost'") == true && missingTensor?.contains(shard) == true)
        #expect(try index(#""embed.weight": "../\#(shard)""#)?.contains("embed.weight") == true)
        let fine = try folder.write(Array(#"{"weight_map": {"embed.weight": "\#(shard)"}}"#.utf8), to: "ok.json")
        let sharded = try ShardedSafetensors(indexPath: fine)
        #expect(invalidFileMessage { _ = try sharded.tensor("unembed.weight") }?.contains("'unembed.weight'") == true)
    }
}
