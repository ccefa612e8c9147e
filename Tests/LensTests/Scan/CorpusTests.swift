import Foundation
import Testing
@testable import Lens

/// Corpus reading and bad input: every format, skipped documents counted, and typed errors naming the file, the
/// unit set or the option.
@Suite struct CorpusTests {
    static func contexts(_ corpus: Corpus, _ model: LensModel, length: Int = 8) throws -> ([[Int32]], CorpusReport) {
        var contexts: [[Int32]] = []
        let packer = try ContextPacker(corpus: corpus, tokenizer: model.tokenizer,
                                       options: PackingOptions(contextLength: length, tokenizer: model.tokenizer),
                                       vocabularySize: model.config.dVocab)
        let report = try packer.forEachContext { index, tokens in
            #expect(index == contexts.count && tokens.count == length)
            contexts.append(tokens)
        }
        return (contexts, report)
    }

    @Test func formatsPackTheSameStream() throws {
        let model = try ScanFixtures.model(), folder = try ScanFixtures.folder()
        let docs = Array(ScanFixtures.lines.prefix(5))
        let lines = try ScanFixtures.write(docs.joined(separator: "\n") + "\n", "a.txt", in: folder)
        let jsonl = try ScanFixtures.write(docs.map { "{\"id\": 1, \"text\": \(Markup.jsonString($0))}" }.joined(separator: "\n"),
                                           "a.jsonl", in: folder)
        let perFile = try ScanFixtures.folder()
        for (k, doc) in docs.enumerated() { try ScanFixtures.write(doc, "doc\(k).txt", in: perFile) }
        let (expected, report) = try Self.contexts(Corpus(paths: [lines.path]), model)
        #expect(try Self.contexts(Corpus(paths: [jsonl.path]), model).0 == expected)
        #expect(try Self.contexts(Corpus(paths: [perFile.path], format: .files), model).0 == expected)
        // The stream: BOS, then the documents joined by EOS (id 0 for the demo tokenizer).
        let tokenizer = try #require(model.tokenizer)
        let stream = docs.map { tokenizer.encode($0, addSpecialTokens: false) }.joined(separator: [0]).map(Int32.init)
        #expect(expected.flatMap { $0.dropFirst() } == Array(stream.prefix(expected.count * 7)))
        #expect(expected.allSatisfy { $0[0] == 0 } && report.documents == 5 && report.droppedTokens == stream.count % 7)
        // A pre-tokenized file of those contexts scans as they are.
        let npy = folder.appendingPathComponent("tokens.npy").path
        try Tensor(ints: expected.flatMap { $0.map(Int.init) }, shape: [expected.count, 8]).writeNpy(to: npy)
        #expect(try Self.contexts(Corpus(paths: [npy]), model).0 == expected)
    }

    @Test func skippedDocumentsAreCountedNotFatal() throws {
        let model = try ScanFixtures.model(), folder = try ScanFixtures.folder()
        var bytes = Array("The old dog saw the river.\n\n   \nI love this movie because it is great.\n".utf8)
        bytes += [0x49, 0x20, 0xFF, 0xFE, 0x0A]  // "I " then invalid UTF-8
        bytes += Array((String(repeating: "ka lo mi ", count: 40) + "\n").utf8)  // longer than a context
        let file = folder.appendingPathComponent("mixed.txt")
        try Data(bytes).write(to: file)
        let report = try Self.contexts(Corpus(paths: [file.path]), model, length: 32).1
        #expect(report.documents == 3 && report.emptyDocuments == 2 && report.invalidUTF8 == 1 && report.longDocuments == 1)
        let jsonl = try ScanFixtures.write("{\"text\": \"Big Ben is in London.\"}\nnot json\n{\"body\": \"x\"}\n{\"text\": 3}\n"
                                           + "{\"text\": \"The Colosseum is a famous landmark in Rome.\"}\n", "b.jsonl", in: folder)
        let jsonReport = try Self.contexts(Corpus(paths: [jsonl.path]), model).1
        #expect(jsonReport.documents == 2 && jsonReport.invalidRecords == 3)
    }

    @Test func badCorpusFilesAreNamed() throws {
        let model = try ScanFixtures.model(), folder = try ScanFixtures.folder()
        let missing = folder.appendingPathComponent("nope.txt").path
        #expect(throws: ScanError.missingCorpusFile(missing)) { try Corpus(paths: [missing]) }
        let binary = folder.appendingPathComponent("model.bin")
        try Data([0x47, 0x50, 0x54, 0x00, 0x01, 0x02]).write(to: binary)
        #expect(throws: ScanError.notText(binary.path, reason: "NUL byte at offset 3")) {
            try Self.contexts(Corpus(paths: [binary.path]), model)
        }
        let empty = try ScanFixtures.write("\n\n", "empty.txt", in: folder)
        #expect(throws: ScanError.self) { try Self.contexts(Corpus(paths: [empty.path]), model) }
        let npy = folder.appendingPathComponent("t.npy").path
        try Tensor(ints: Array(0..<12), shape: [2, 6]).writeNpy(to: npy)
        #expect(throws: ScanError.badTokens(npy, reason: "rows have 6 tokens but the context length is 8")) {
            try Self.contexts(Corpus(paths: [npy]), model)
        }
        try Tensor(ints: [0, 1, 2, 3, 4, 5, 6, 99_999], shape: [1, 8]).writeNpy(to: npy)
        #expect(throws: ScanError.badTokens(npy, reason: "token id 99999 at row 0, column 7 is outside the vocabulary of 1500")) {
            try Self.contexts(Corpus(paths: [npy]), model)
        }
    }

    @Test func unitsThatDoNotFitAreNamed() throws {
        let model = try ScanFixtures.model(), folder = try ScanFixtures.folder()
        // An SAE with d_in 128 pointed at a 512-wide hook.
        try SafetensorsFile.write([("W_enc", Tensor(zeros: [128, 4])), ("W_dec", Tensor(zeros: [4, 128])),
                                   ("b_enc", Tensor(zeros: [4])), ("b_dec", Tensor(zeros: [128]))],
                                  to: folder.appendingPathComponent("sae_weights.safetensors").path)
        try ScanFixtures.write("{\"d_in\": 128, \"d_sae\": 4, \"hook_name\": \"blocks.0.mlp.hook_post\"}", "cfg.json", in: folder)
        let sae = try SAEFeatureUnits(sae: SparseAutoencoder(folder: folder))
        #expect(throws: ScanError.unitMismatch("sae:blocks.0.mlp.hook_post", reason: "the SAE's d_in is 128 but "
                                               + "blocks.0.mlp.hook_post carries [512] (512 values per token)")) {
            try sae.validate(for: model.transformer)
        }
        let directions = try DirectionUnits(hook: "blocks.0.hook_resid_post", directions: Tensor(zeros: [2, 64]))
        #expect(throws: ScanError.self) { try directions.validate(for: model.transformer) }
        #expect(throws: ScanError.self) { try NeuronUnits(layer: 3, model: model.transformer) }
        #expect(throws: ScanError.self) { try HeadUnits(layers: [], model: model.transformer) }
        // A unit set whose activations are not finite fails naming the unit, context and position.
        struct Broken: ScanUnits {
            var name: String { "broken" }
            var kind: String { "test" }
            var hooks: [String] { ["blocks.0.hook_resid_post"] }
            var count: Int { 2 }
            var fingerprint: String { "" }
            func label(_ unit: Int) -> String { "B\(unit)" }
            func validate(for model: HookedTransformer) throws {}
            func activations(_ captured: [String: Tensor]) throws -> Tensor {
                let rows = captured[hooks[0]]!.shape.dropLast().reduce(1, *)
                var values = [Float](repeating: 1, count: rows * 2)
                values[2 * 3 + 1] = .nan
                return Tensor(values, shape: [rows, 2])
            }
            func outputDirections(_ model: HookedTransformer) throws -> Tensor? { nil }
        }
        let corpus = try Corpus(paths: [ScanFixtures.write(ScanFixtures.lines.joined(separator: "\n"), "c.txt", in: folder).path])
        let scan = CorpusScan(units: [Broken()], packing: PackingOptions(contextLength: 8, tokenizer: model.tokenizer))
        #expect(throws: ScanError.badActivation("broken", reason: "unit 1: activation nan at context 0, position 3 is not "
                                                + "finite or beyond ±2^20")) {
            try scan.run(model: model, corpus: corpus)
        }
        var options = ScanOptions()
        options.topK = 0
        #expect(throws: ScanError.invalidOption("top-k 0 must be at least 1")) {
            try CorpusScan(units: [Broken()], options: options, packing: scan.packing).run(model: model, corpus: corpus)
        }
    }
}
