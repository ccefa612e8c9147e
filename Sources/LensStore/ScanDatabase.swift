import Foundation
import Lens

/// A corpus scan kept in an SQLite file: its identity, progress, per-unit statistics, examples, logit effects and
/// the vocabulary, in plain tables any `sqlite3` shell can query (docs/SCAN_DATABASE.md).
///
/// As a `ScanStore` it makes a scan resumable: every `save` is one transaction holding the progress and every unit
/// changed since the last save, so a scan killed at any moment restarts from the last saved batch, with nothing lost
/// and nothing counted twice. A database holding another scan (another model, corpus, packing, options or units) is
/// refused, never mixed; one whose scan failed before its first saved batch is started over.
public final class ScanDatabase: ScanStore {
    /// The file.
    public let path: String
    let db: SQLiteConnection
    /// Per unit set, the examples the file holds (what the last save wrote), so that a save writes only the
    /// examples that entered or left; nil for a set whose rows are not known (every changed unit is rewritten).
    var written: [WrittenExamples?] = []

    /// Opens the database at `path` for a scan, creating the file when missing.
    public init(path: String) throws {
        self.path = path
        db = try SQLiteConnection(path: path, create: true)
    }

    /// Opens an existing scan database to read it (dashboards); throws `StoreError.notAScanDatabase` for a missing
    /// file or one that is not a scan database of this schema version.
    public init(readingAt path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError.notAScanDatabase(path: path, reason: "the file does not exist")
        }
        self.path = path
        do { db = try SQLiteConnection(path: path, create: false) } catch {
            throw StoreError.notAScanDatabase(path: path, reason: "\(error)")
        }
        guard try hasTable("meta") else { throw StoreError.notAScanDatabase(path: path, reason: "it has no meta table") }
        let version = try meta("schema_version")
        guard version == Schema.version else {
            throw StoreError.notAScanDatabase(path: path, reason: "schema version \(version ?? "none"), expected \(Schema.version)")
        }
    }

    // MARK: ScanStore

    public func begin(_ header: ScanHeader, describe: () throws -> ScanDescription) throws
        -> (ScanCheckpoint, ScanDescription)? {
        if try hasTable("meta") {
            let version = try meta("schema_version")
            guard try version == Schema.version || progress().contexts == 0 else {
                throw StoreError.notAScanDatabase(path: path, reason: "it holds a scan of schema version \(version ?? "none") "
                                                  + "(this lens writes version \(Schema.version)); scans are written to a new file")
            }
            let stored = try self.header()
            if version == Schema.version, stored.difference(from: header) == nil {
                let saved = try checkpoint()
                written = saved.statistics.map { WrittenExamples($0) }
                return (saved, try description())
            }
            let (field, old, new) = stored.difference(from: header) ?? ("schema version", version ?? "none", Schema.version)
            // A scan that failed before saving any batch (a corpus file that is not text, say) holds no results:
            // it is replaced rather than refused.
            guard try progress().contexts == 0 else { throw StoreError.otherScan(path: path, field: field, stored: old, requested: new) }
            let description = try describe()
            try db.transaction {
                for row in try db.rows("SELECT type, name FROM sqlite_master WHERE type IN ('view', 'table') ORDER BY rowid DESC") {
                    try db.execute("DROP \(row[0].text.uppercased()) IF EXISTS \"\(row[1].text)\"")
                }
                try create(header, description)
            }
            written = header.unitSets.map { WrittenExamples(count: $0.count) }
            return nil
        }
        let tables = try db.rows("SELECT count(*) FROM sqlite_master")
        guard tables.first?.first?.int == 0 else {
            throw StoreError.notAScanDatabase(path: path, reason: "it holds other tables; scans are written to a new file")
        }
        let description = try describe()
        try db.transaction { try create(header, description) }
        written = header.unitSets.map { WrittenExamples(count: $0.count) }
        return nil
    }

    /// Creates the tables and writes everything that never changes during the scan.
    private func create(_ header: ScanHeader, _ description: ScanDescription) throws {
        try db.execute(Schema.create)
        let meta = try db.prepare("INSERT INTO meta VALUES (?, ?)")
        for (key, value) in [("schema_version", Schema.version), ("header", String(decoding: try Self.encoder.encode(header), as: UTF8.self)),
                             ("model_name", header.modelName), ("created_by", "SwiftLens lens scan")] {
            try meta.run([.text(key), .text(value)])
        }
        try db.execute("INSERT INTO progress VALUES (1, 0, 0, 0, 0, NULL)")
        let bins = header.options.bins
        let bin = try db.prepare("INSERT INTO bins VALUES (?, ?, ?)")
        for b in 0..<bins.count {
            let (lower, upper) = bins.edges(of: b)
            try bin.run([.int(Int64(b)), .double(Double(lower)), .double(Double(upper))])
        }
        let band = try db.prepare("INSERT INTO bands VALUES (?, ?, ?)")
        for b in 0..<bins.bands {
            let (lower, upper) = bins.bandEdges(b)
            try band.run([.int(Int64(b)), .double(Double(lower)), .double(Double(upper))])
        }
        let set = try db.prepare("INSERT INTO unit_sets VALUES (?, ?, ?, ?, ?, ?, 0)")
        let unit = try db.prepare("INSERT INTO units VALUES (?, ?, ?, 0, '0', '0', NULL, '[]')")
        let effect = try db.prepare("INSERT INTO logit_effects VALUES (?, ?, ?, ?, ?, ?)")
        for (s, info) in header.unitSets.enumerated() {
            try set.run([.int(Int64(s)), .text(info.name), .text(info.kind), .text(info.hooks.joined(separator: ",")),
                         .int(Int64(info.count)), .text(info.fingerprint)])
            for u in 0..<info.count { try unit.run([.int(Int64(s)), .int(Int64(u)), .text(description.labels[s][u])]) }
            for (u, effects) in (description.logitEffects[s] ?? []).enumerated() {
                for (sign, list) in [(1, effects.boosted), (-1, effects.suppressed)] {
                    for (rank, entry) in list.enumerated() {
                        try effect.run([.int(Int64(s)), .int(Int64(u)), .int(Int64(sign)), .int(Int64(rank)),
                                        .int(Int64(entry.token)), .double(Double(entry.value))])
                    }
                }
            }
        }
        let token = try db.prepare("INSERT INTO vocab VALUES (?, ?)")
        for (id, text) in description.vocabulary.enumerated() { try token.run([.int(Int64(id)), .text(text)]) }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    func hasTable(_ name: String) throws -> Bool {
        try !db.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [.text(name)]).isEmpty
    }

    func meta(_ key: String) throws -> String? {
        try db.rows("SELECT value FROM meta WHERE key = ?", [.text(key)]).first?.first?.text
    }
}
