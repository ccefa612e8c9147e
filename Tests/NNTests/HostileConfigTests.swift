import Foundation
import Testing
@testable import NN

/// Hostile `config.json` files made in the test: every field that once trapped or was silently accepted is now a
/// thrown error naming the file, the field and the value; a model too large for the machine is refused before
/// anything is allocated.
@Suite struct HostileConfigTests {
    /// A fixture's config with `changes` applied, written to a scratch folder; returns the error message of
    /// `ModelConfig(huggingFace:)` (nil when it loads).
    static func message(_ fixture: String, _ changes: [String: Any], transformerLens: Bool = false) throws -> String? {
        let source = ModelFixture.folder(fixture).appendingPathComponent(transformerLens ? "tl_config.json" : "config.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: source)) as! [String: Any]
        for (key, value) in changes { json[key] = value }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlens-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("config.json")
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        do {
            let config = transformerLens ? try ModelConfig(transformerLens: file) : try ModelConfig(huggingFace: file)
            try config.checkMemory()
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("hostile Hugging Face fields are typed errors naming the field and the value")
    func huggingFaceFields() throws {
        let cases: [(String, [String: Any], [String])] = [
            ("gpt2", ["n_layer": -3], ["nLayers", "-3"]),
            ("gpt2", ["n_embd": 1 << 62], ["n_embd"]),
            ("gpt2", ["n_head": 0], ["n_head"]),
            ("gpt2", ["layer_norm_epsilon": 1e300], ["eps", "inf"]),
            ("gpt2", ["bos_token_id": 1_000_000], ["bosTokenID", "1000000"]),
            ("mistral", ["sliding_window": -4], ["windowSize", "-4"]),
            ("mistral", ["num_hidden_layers": 1_000_000_000_000], ["nLayers", "1000000000000"]),
            ("mistral", ["rope_theta": -10000.0], ["rope_theta"]),
            ("mistral", ["rope_scaling": ["rope_type": "linear", "factor": 0.0]], ["ropeScaling.factor", "0.0"]),
            ("llama3", ["rope_scaling": ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 4.0,
                                         "original_max_position_embeddings": 64]], ["highFrequencyFactor"]),
            ("gemma2", ["attn_logit_softcapping": -50.0], ["attnScoresSoftCap"]),
            ("qwen2", ["num_key_value_heads": 3], ["nKeyValueHeads"]),
        ]
        for (fixture, changes, fragments) in cases {
            let message = try Self.message(fixture, changes)
            for fragment in fragments {
                #expect(message?.contains(fragment) == true, "\(fixture) \(changes): \(message ?? "accepted")")
            }
            #expect(message?.contains("config.json") == true, "\(fixture) \(changes): \(message ?? "accepted")")
        }
    }

    @Test("a model too large for the machine is refused with needed and available bytes, before allocation")
    func budget() throws {
        let message = try Self.message("gpt2", ["n_embd": 10_000_000, "n_head": 1, "n_inner": 4])
        #expect(message?.contains("needs") == true && message?.contains("can be allocated") == true, "\(message ?? "accepted")")
        let config = ModelConfig(dModel: 1 << 20, dHead: 1 << 20, nHeads: 1, nLayers: 1, nCtx: 8, dVocab: 8, dMLP: 8)
        #expect(throws: TensorError.self) { try config.checkMemory(budget: MemoryBudget(availableBytes: 1 << 30)) }
        let small = ModelConfig(dModel: 8, dHead: 4, nHeads: 2, nLayers: 1, nCtx: 8, dVocab: 8, dMLP: 8)
        try small.checkMemory(budget: MemoryBudget(availableBytes: 1 << 30))
        #expect(small.parameterCount != nil)
    }

    @Test("hostile TransformerLens config fields are refused the same way")
    func transformerLensFields() throws {
        #expect(try Self.message("othello_like", ["eps": 1e300], transformerLens: true)?.contains("eps") == true)
        #expect(try Self.message("othello_like", ["window_size": -1], transformerLens: true)?.contains("windowSize") == true)
        #expect(try Self.message("othello_like", ["d_vocab": 0], transformerLens: true)?.contains("dVocab") == true)
        #expect(try Self.message("othello_like", [:], transformerLens: true) == nil)
    }

    @Test("a hand-written config is validated by the same pass")
    func handWritten() {
        var config = ModelConfig(dModel: 8, dHead: 4, nHeads: 2, nLayers: 1, nCtx: 8, dVocab: 8, dMLP: 8,
                                 positionalEmbeddingType: .rotary, rotaryBase: -1)
        #expect(throws: ModelConfigError.self) { try HookedTransformer(config: config, stateDict: StateDict()) }
        config.rotaryBase = 10000
        config.eps = .infinity
        #expect(throws: ModelConfigError.self) { try config.validate() }
    }

    @Test("a sharded index naming a file outside the model folder is refused")
    func shardPaths() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlens-shards-\(UUID().uuidString)")
        let model = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        try SafetensorsFile.write([("w", Tensor([1]))], to: root.appendingPathComponent("outside.safetensors").path)
        try SafetensorsFile.write([("w", Tensor([2]))], to: model.appendingPathComponent("inside.safetensors").path)
        try FileManager.default.createSymbolicLink(atPath: model.appendingPathComponent("link.safetensors").path,
                                                   withDestinationPath: root.appendingPathComponent("outside.safetensors").path)
        func open(_ shard: String) -> String? {
            let index = model.appendingPathComponent("model.safetensors.index.json")
            try? Data(#"{"weight_map": {"w": "\#(shard)"}}"#.utf8).write(to: index)
            do { _ = try ShardedSafetensors(indexPath: index.path); return nil } catch { return "\(error)" }
        }
        #expect(open("inside.safetensors") == nil)
        #expect(open("../outside.safetensors")?.contains("climbs out") == true)
        #expect(open("../../../../../../etc/passwd")?.contains("climbs out") == true)
        #expect(open("/etc/passwd")?.contains("not a relative path") == true)
        #expect(open("link.safetensors")?.contains("outside the folder") == true)
    }
}
