import Foundation
import Testing
@testable import Lens
@testable import LensStore

/// The SQLite store: a scan written to a database reads back bit for bit, answers the dashboard queries like the
/// in-memory result, and refuses another scan or a file that is not a scan database.
@Suite struct ScanDatabaseTests {
    static let modelFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/demo")

    static let lines = ["The Eiffel Tower is located in Paris.", "I love this movie because it is great.",
                        "When Mary and John went to the store, John gave a drink to Mary.", "Big Ben is in London.",
                        "I hate this book because it is terrible.", "", "The old dog saw the river.",
                        "Then, Tom and James had a lot of fun at the park. Tom gave a ball to James."]

    static func temporary() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lens-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func setup() throws -> (LensModel, Corpus, CorpusScan, URL) {
        let model = try LensModel(pretrained: modelFolder)
        let folder = try temporary()
        let file = folder.appendingPathComponent("corpus.txt")
        try Data((lines + lines.reversed() + lines).joined(separator: "\n").utf8).write(to: file)
        let scan = CorpusScan(units: [try NeuronUnits(layer: 0, model: model.transformer), try HeadUnits(layers: [1], model: model.transformer)],
                              options: ScanOptions(batchSize: 4, topK: 3, windowBefore: 4, windowAfter: 2),
                              packing: PackingOptions(contextLength: 12, tokenizer: model.tokenizer))
        return (model, try Corpus(paths: [file.path]), scan, folder)
    }

    @Test func storedScanReadsBackExactly() throws {
        let (model, corpus, scan, folder) = try Self.setup()
        let path = folder.appendingPathComponent("scan.sqlite").path
        let stored = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: path), checkpointSeconds: 0)
        let memory = try scan.run(model: model, corpus: corpus)
        let database = try ScanDatabase(readingAt: path)
        let checkpoint = try database.checkpoint()
        #expect(checkpoint.statistics == memory.statistics && checkpoint.report == memory.checkpoint.report)
        #expect(stored.statistics == memory.statistics)
        #expect(try database.header() == memory.header)
        #expect(memory.checkpoint.report?.emptyDocuments == 3)
        // The dashboard queries agree with the in-memory result.
        for set in 0..<2 {
            let summaries = try database.summaries(set: set)
            for (a, b) in zip(summaries, memory.summaries(set: set)) {
                #expect(a.label == b.label && a.firing == b.firing && a.tokens == b.tokens && a.max == b.max)
                // The view's mean goes through SQLite REAL arithmetic: relative tolerance 1e-12.
                #expect(abs(a.mean - b.mean) <= 1e-12 * max(1, abs(b.mean)))
            }
            let card = try database.card(set: set, unit: 2), expected = memory.card(set: set, unit: 2)
            #expect(card.top == expected.top && card.histogram == expected.histogram && card.logitEffects == expected.logitEffects)
            #expect(card.bands.map(\.examples) == expected.bands.map(\.examples) && card.bands.map(\.count) == expected.bands.map(\.count))
        }
        let byFrequency = try database.summaries(order: .frequency, limit: 5)
        #expect(byFrequency.count == 5 && zip(byFrequency, byFrequency.dropFirst()).allSatisfy { $0.frequency >= $1.frequency })
        #expect(try database.vocabulary().count == model.config.dVocab)
        // The static dashboard is one well-formed document with a card per unit.
        let html = ScanDashboard.document(title: "t", subtitle: nil, summaries: byFrequency, setNames: ["a", "b"],
                                          cards: try byFrequency.map { try database.card(set: $0.set, unit: $0.unit) },
                                          vocabulary: try database.vocabulary())
        #expect(html.components(separatedBy: "class=\"lens-card\"").count == 6)
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"))
        // Running the finished scan again changes nothing.
        let again = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: path))
        #expect(again.statistics == memory.statistics)
    }

    @Test func anotherScanIsRefusedNotMixed() throws {
        let (model, corpus, scan, folder) = try Self.setup()
        let path = folder.appendingPathComponent("scan.sqlite").path
        _ = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: path), maxBatches: 1)
        func field(_ other: CorpusScan, corpus: Corpus? = nil) -> String? {
            do {
                _ = try other.run(model: model, corpus: corpus ?? Self.setup().1, store: ScanDatabase(path: path))
                return nil
            } catch let StoreError.otherScan(_, field, _, _) {
                return field
            } catch {
                return "\(error)"
            }
        }
        var options = scan
        options.options.topK = 4
        #expect(field(options) == "options")
        var packing = scan
        packing.packing.contextLength = 13
        #expect(field(packing) == "packing")
        var units = scan
        units.units.removeLast()
        #expect(field(units) == "units")
        let changed = folder.appendingPathComponent("other.txt")
        try Data("A different corpus line.\nAnd another one that is long enough.\n".utf8).write(to: changed)
        #expect(field(scan, corpus: try Corpus(paths: [changed.path])) == "corpus")
        var processed = try LensModel(pretrained: Self.modelFolder, processing: .none)
        processed.resetHooks()
        do {
            _ = try scan.run(model: processed, corpus: corpus, store: ScanDatabase(path: path))
            Issue.record("a database of another model was accepted")
        } catch let StoreError.otherScan(_, field, _, _) {
            #expect(field == "model")
        }
        // The refusals wrote nothing: the stored progress is still the one batch.
        #expect(try ScanDatabase(readingAt: path).progress().contexts == 4)
    }

    /// A scan that fails before its first batch (the corpus is not text) leaves nothing that blocks the next one.
    @Test func failedScanIsStartedOver() throws {
        let (model, corpus, scan, folder) = try Self.setup()
        let path = folder.appendingPathComponent("scan.sqlite").path
        let binary = folder.appendingPathComponent("weights.bin")
        try Data([1, 2, 0, 3]).write(to: binary)
        #expect(throws: ScanError.notText(binary.path, reason: "NUL byte at offset 2")) {
            try scan.run(model: model, corpus: Corpus(paths: [binary.path], format: .lines), store: ScanDatabase(path: path))
        }
        let result = try scan.run(model: model, corpus: corpus, store: ScanDatabase(path: path))
        let stored = try ScanDatabase(readingAt: path).checkpoint()
        #expect(result.checkpoint.finished && stored.statistics == result.statistics)
    }

    @Test func notAScanDatabase() throws {
        let folder = try Self.temporary()
        let text = folder.appendingPathComponent("notes.txt")
        try Data("hello".utf8).write(to: text)
        #expect(throws: StoreError.self) { try ScanDatabase(readingAt: text.path) }
        #expect(throws: StoreError.notAScanDatabase(path: folder.path + "/missing.sqlite", reason: "the file does not exist")) {
            try ScanDatabase(readingAt: folder.path + "/missing.sqlite")
        }
    }
}
