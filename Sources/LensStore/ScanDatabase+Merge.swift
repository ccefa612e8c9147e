import Foundation
import Lens

/// What a merge did.
public struct MergeOutcome: Sendable {
    /// Shards merged.
    public let shards: Int
    /// Contexts (scans) or prompts (sweeps) in the merged result.
    public let items: Int
    /// Tokens in the merged result.
    public let tokens: Int
    /// False when the output already held exactly this merge (nothing was written).
    public let written: Bool
}

extension ScanDatabase {
    /// Merges the databases of the shards of one scan (`lens scan --shard I/N`) into `output`, which then holds
    /// exactly what one process scanning the whole corpus writes (`DatabaseComparison` finds no difference).
    ///
    /// Reads each shard through `header()` / `checkpoint()` / `description()`, one shard at a time, and merges the
    /// statistics in memory (`ScanShardMerge`). Refuses (`ShardError.mismatch`, naming the files) shards of different
    /// scans or shard counts, duplicate or missing shards and unfinished ones. The output is written to a temporary
    /// file beside it and renamed, so it appears complete or not at all. Idempotent: when `output` already holds this
    /// merge nothing is written; when it holds anything else it is refused, never overwritten.
    public static func merge(shards paths: [String], into output: String) throws -> MergeOutcome {
        let databases = try paths.map { try ScanDatabase(readingAt: $0) }
        let headers = try databases.map { try $0.header() }
        var description: ScanDescription?
        let (header, merged) = try ScanShardMerge.merge(headers: headers, sources: paths) { k in
            let shardDescription = try databases[k].description()
            if let description, !Self.same(description, shardDescription) {
                throw ShardError.mismatch("\(paths[k]) describes its units differently from \(paths[0]) (labels, logit effects "
                                          + "or vocabulary)")
            }
            description = shardDescription
            return try databases[k].checkpoint()
        }
        let outcome = { (written: Bool) in
            MergeOutcome(shards: paths.count, items: merged.contexts, tokens: merged.statistics.first?.tokens ?? 0, written: written)
        }
        if FileManager.default.fileExists(atPath: output) {
            let existing = try ScanDatabase(readingAt: output)
            let saved = try existing.checkpoint()
            guard try existing.header() == header, saved.finished, saved.report == merged.report,
                  saved.contexts == merged.contexts, saved.nextBatch == merged.nextBatch, saved.statistics == merged.statistics else {
                throw ShardError.mismatch("\(output) exists and holds other results; delete it to write this merge")
            }
            return outcome(false)
        }
        try writeAtomically(output) { path in
            let database = try ScanDatabase(path: path)
            _ = try database.begin(header) { description! }
            try database.save(merged)
            try database.db.prepare("UPDATE meta SET value = ? WHERE key = 'created_by'")
                .run([.text("SwiftLens lens merge of \(paths.count) shards")])
        }
        return outcome(true)
    }

    /// Equal labels, logit effects and vocabulary.
    static func same(_ a: ScanDescription, _ b: ScanDescription) -> Bool {
        a.labels == b.labels && a.logitEffects == b.logitEffects && a.vocabulary == b.vocabulary
    }
}

/// Runs `write` on a fresh temporary SQLite file beside `path` (any connection it opens must be closed when it
/// returns), then renames the file to `path`: readers see the whole result or nothing.
func writeAtomically(_ path: String, _ write: (String) throws -> Void) throws {
    let temporary = path + ".merging"
    let manager = FileManager.default
    for suffix in ["", "-wal", "-shm"] { try? manager.removeItem(atPath: temporary + suffix) }
    do {
        try write(temporary)
        guard (try? manager.attributesOfItem(atPath: temporary + "-wal")[.size] as? Int) ?? 0 == 0 else {
            throw StoreError.sqlite(path: temporary, message: "the write-ahead log was not checkpointed when the merge closed it")
        }
        try? manager.removeItem(atPath: temporary + "-wal")
        try? manager.removeItem(atPath: temporary + "-shm")
        guard rename(temporary, path) == 0 else {
            throw StoreError.sqlite(path: path, message: "cannot rename \(temporary) to it: \(String(cString: strerror(errno)))")
        }
    } catch {
        for suffix in ["", "-wal", "-shm"] { try? manager.removeItem(atPath: temporary + suffix) }
        throw error
    }
}
