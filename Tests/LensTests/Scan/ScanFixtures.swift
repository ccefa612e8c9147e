import Foundation
@testable import Lens

/// The demo model and small corpora written to a temporary folder, shared by the scan tests.
enum ScanFixtures {
    /// `Models/demo`.
    static let modelFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Models/demo")

    /// The demo model.
    static func model() throws -> LensModel { try LensModel(pretrained: modelFolder) }

    /// A fresh temporary folder.
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lens-scan-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Sentences in the demo model's language, one per line (about 40 tokens of context each way).
    static let lines = [
        "The Eiffel Tower is located in Paris.", "I love this movie because it is great.",
        "When Mary and John went to the store, John gave a drink to Mary.", "Big Ben is in London.",
        "I hate this book because it is terrible.", "The old dog saw the river.",
        "Then, Tom and James had a lot of fun at the park. Tom gave a ball to James.",
        "The Colosseum is a famous landmark in Rome.", "We enjoy the song because it is really wonderful.",
        "Paris is a busy city with a garden.", "ka lo mi ka lo mi", "Alice went to the school. The teacher gave a book to Alice.",
    ]

    /// Writes `text` to `name` in `folder`.
    @discardableResult
    static func write(_ text: String, _ name: String, in folder: URL) throws -> URL {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }
}

/// A scan store that keeps its checkpoints in memory and can fail on purpose after some saves.
final class MemoryStore: ScanStore {
    var header: ScanHeader?
    var description: ScanDescription?
    var checkpoint: ScanCheckpoint?
    var saves = 0

    func begin(_ header: ScanHeader, describe: () throws -> ScanDescription) throws -> (ScanCheckpoint, ScanDescription)? {
        if let stored = self.header {
            if let difference = stored.difference(from: header) { throw LensError.invalidArgument("other scan: \(difference.field)") }
            return checkpoint.map { ($0, description!) }
        }
        self.header = header
        description = try describe()
        return nil
    }

    func save(_ checkpoint: ScanCheckpoint) throws {
        self.checkpoint = checkpoint
        saves += 1
    }
}
