import Foundation
import NN
import Testing

/// Errors for unusable folders: they name the file, the field or tensor, and the shapes.
@Suite struct LoadingErrorTests {
    /// A fresh folder holding `config` (as JSON text) and, optionally, `tensors` as `model.safetensors`.
    static func folder(config: String, tensors: [(String, Tensor)]? = nil) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lens-models-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try Data(config.utf8).write(to: url.appendingPathComponent("config.json"))
        if let tensors {
            try SafetensorsFile.write(tensors, to: url.appendingPathComponent("model.safetensors").path)
        }
        return url
    }

    /// The gpt2 fixture's config text with `edit` applied to its JSON object.
    static func gpt2Config(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let data = try Data(contentsOf: ModelFixture.folder("gpt2").appendingPathComponent("config.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        edit(&json)
        return String(decoding: try JSONSerialization.data(withJSONObject: json), as: UTF8.self)
    }

    /// The gpt2 fixture's tensors, with `edit` applied.
    static func gpt2Tensors(_ edit: (inout [(String, Tensor)]) -> Void) throws -> [(String, Tensor)] {
        let file = try SafetensorsFile(path: ModelFixture.folder("gpt2").appendingPathComponent("model.safetensors").path)
        var tensors = try file.names.map { ($0, try file.tensor($0)) }
        edit(&tensors)
        return tensors
    }

    @Test func unknownModelTypeListsSupportedOnes() throws {
        let url = try Self.folder(config: #"{"model_type": "bert", "hidden_size": 8}"#)
        #expect(throws: ModelConfigError.unsupportedModelType("bert", supported: HuggingFaceArchitecture.supportedModelTypes,
                                                                file: url.appendingPathComponent("config.json").path)) {
            _ = try ModelConfig(huggingFace: url)
        }
        #expect(HuggingFaceArchitecture.supportedModelTypes.count == 11)
    }

    @Test func missingFieldIsNamed() throws {
        let url = try Self.folder(config: try Self.gpt2Config { $0["n_head"] = nil })
        #expect(throws: ModelConfigError.missingField("n_head", file: url.appendingPathComponent("config.json").path)) {
            _ = try ModelConfig(huggingFace: url)
        }
    }

    @Test func illTypedFieldIsNamed() throws {
        let url = try Self.folder(config: try Self.gpt2Config { $0["n_layer"] = "two" })
        #expect(throws: ModelConfigError.invalidField("n_layer", file: url.appendingPathComponent("config.json").path,
                                                      reason: "must be an integer")) {
            _ = try ModelConfig(huggingFace: url)
        }
    }

    @Test func unsupportedRopeTypeIsNamed() throws {
        let url = try Self.folder(config: #"{"model_type": "llama", "rope_parameters": {"rope_type": "yarn", "factor": 2}}"#)
        #expect(throws: ModelConfigError.self) { _ = try ModelConfig(huggingFace: url) }
    }

    @Test func missingTensorIsNamed() throws {
        let tensors = try Self.gpt2Tensors { $0.removeAll { $0.0 == "transformer.h.1.mlp.c_fc.weight" } }
        let url = try Self.folder(config: try Self.gpt2Config { _ in }, tensors: tensors)
        #expect(throws: CheckpointError.missingTensor("transformer.h.1.mlp.c_fc.weight", file: url.path)) {
            _ = try HookedTransformer(pretrained: url)
        }
    }

    @Test func misShapedTensorNamesBothShapes() throws {
        let tensors = try Self.gpt2Tensors { list in
            let i = list.firstIndex { $0.0 == "transformer.h.0.attn.c_proj.weight" }!
            list[i].1 = list[i].1[0..<10]
        }
        let url = try Self.folder(config: try Self.gpt2Config { _ in }, tensors: tensors)
        #expect(throws: CheckpointError.shapeMismatch("transformer.h.0.attn.c_proj.weight", expected: [64, 64],
                                                      found: [10, 64], file: url.path)) {
            _ = try HookedTransformer(pretrained: url)
        }
    }

    @Test func folderWithoutWeights() throws {
        let url = try Self.folder(config: try Self.gpt2Config { _ in })
        #expect(throws: CheckpointError.noWeights(folder: url.path)) { _ = try HookedTransformer(pretrained: url) }
    }

    /// A TransformerLens state dict missing a weight matrix or holding a mis-shaped one is refused by name.
    @Test func stateDictErrors() throws {
        let config = HandWrittenConfigTests.attentionOnly
        let url = ModelFixture.folder("attn_only_2l").appendingPathComponent("tl_state_dict.safetensors")
        var sd = try StateDict(safetensors: url)
        sd["blocks.1.attn.W_V"] = nil
        #expect(throws: CheckpointError.missingTensor("blocks.1.attn.W_V", file: url.path)) {
            _ = try HookedTransformer(config: config, stateDict: sd)
        }
        sd["blocks.1.attn.W_V"] = Tensor(zeros: [4, 16, 64])
        #expect(throws: CheckpointError.shapeMismatch("blocks.1.attn.W_V", expected: [4, 64, 16], found: [4, 16, 64],
                                                      file: url.path)) {
            _ = try HookedTransformer(config: config, stateDict: sd)
        }
    }

    /// Out-of-vocabulary tokens and malformed masks are rejected before any compute.
    @Test func badInputs() throws {
        let model = try ModelFixture.model("gpt2", processed: false)
        #expect(throws: ForwardError.tokenOutOfRange(token: 5000, vocabulary: model.config.dVocab)) {
            _ = try model.forward(tokens: [[1, 5000]])
        }
        #expect(throws: ForwardError.self) { _ = try model.forward(tokens: [[1, 2], [3]]) }
        #expect(throws: ForwardError.self) {
            _ = try model.forward(tokens: Tensor(ints: [1, 2], shape: [1, 2]), attentionMask: Tensor([1, 2], shape: [1, 2]))
        }
        #expect(throws: ForwardError.contextTooLong(positions: 65, nCtx: 64)) {
            _ = try model.forward(tokens: [Array(repeating: 1, count: 65)])
        }
    }
}
