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
            let stored = try self.header()
            guard let (field, old, new) = stored.difference(from: header) else { return (try checkpoint(), try description()) }
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
            return nil
        }
        let tables = try db.rows("SELECT count(*) FROM sqlite_master")
        guard tables.first?.first?.int == 0 else {
            throw StoreError.notAScanDatabase(path: path, reason: "it holds other tables; scans are written to a new file")
        }
        let description = try describe()
        try db.transaction { try create(header, description) }
        return nil
    }

    public func save(_ checkpoint: ScanCheckpoint) throws {
        try db.transaction {
            let report = try checkpoint.report.map { String(decoding: try Self.encoder.encode($0), as: UTF8.self) }
            try db.prepare("UPDATE progress SET next_batch = ?, contexts = ?, tokens = ?, finished = ?, report = ? WHERE id = 1")
                .run([.int(Int64(checkpoint.nextBatch)), .int(Int64(checkpoint.contexts)),
                      .int(Int64(checkpoint.statistics.first?.tokens ?? 0)), .int(checkpoint.finished ? 1 : 0),
                      report.map { .text($0) } ?? .null])
            let setTokens = try db.prepare("UPDATE unit_sets SET tokens = ? WHERE set_id = ?")
            let unitRow = try db.prepare("UPDATE units SET firing = ?, sum = ?, sum_active = ?, max = ? WHERE set_id = ? AND unit = ?")
            let bin = try db.prepare("INSERT OR REPLACE INTO histogram(set_id, unit, bin, count) VALUES (?, ?, ?, ?)")
            let clearTop = try db.prepare("DELETE FROM top_examples WHERE set_id = ? AND unit = ?")
            let top = try db.prepare("INSERT INTO top_examples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            let clearSamples = try db.prepare("DELETE FROM band_samples WHERE set_id = ? AND unit = ?")
            let sample = try db.prepare("INSERT OR REPLACE INTO band_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
            for (s, stats) in checkpoint.statistics.enumerated() {
                let set = SQLValue.int(Int64(s))
                try setTokens.run([.int(Int64(stats.tokens)), set])
                let binCount = stats.options.bins.count
                for u in 0..<stats.count where stats.statsChanged[u] || stats.examplesChanged[u] {
                    let unit = SQLValue.int(Int64(u))
                    try unitRow.run([.int(stats.firing[u]), .text(String(stats.sum[u])), .text(String(stats.sumActive[u])),
                                     stats.max(u).map { .double(Double($0)) } ?? .null, set, unit])
                    if stats.statsChanged[u] {
                        for b in 0..<binCount where stats.histogram[u * binCount + b] != 0 {
                            try bin.run([set, unit, .int(Int64(b)), .int(stats.histogram[u * binCount + b])])
                        }
                    }
                    guard stats.examplesChanged[u] else { continue }
                    try clearTop.run([set, unit])
                    for (rank, example) in stats.top[u].enumerated() {
                        try top.run([set, unit, .int(Int64(rank))] + Self.values(example))
                    }
                    try clearSamples.run([set, unit])
                    for entry in stats.samples[u] {
                        try sample.run([set, unit, .int(Int64(entry.band)), .int(Int64(bitPattern: entry.priority))]
                                       + Self.values(entry.example))
                    }
                }
            }
        }
    }

    /// Value, context, position, window start, tokens and activations of an example, as stored.
    static func values(_ example: ActivationExample) -> [SQLValue] {
        [.double(Double(example.value)), .int(Int64(example.context)), .int(Int64(example.position)),
         .int(Int64(example.windowStart)), .text(NumberList.encode(example.tokens)), .text(NumberList.encode(example.activations))]
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
        let unit = try db.prepare("INSERT INTO units VALUES (?, ?, ?, 0, '0', '0', NULL)")
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

/// JSON arrays of numbers as stored in example rows: `[12,7,3]`, `[0.5,-1.25e-05]`. Floats print in their shortest
/// round-trip form and are parsed back as Float directly, so a value survives storage bit for bit.
enum NumberList {
    static func encode(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ",") + "]" }
    static func encode(_ values: [Float]) -> String { "[" + values.map { "\($0)" }.joined(separator: ",") + "]" }

    static func ints(_ text: String, path: String) throws -> [Int] {
        try items(text).map { item in
            guard let v = Int(item) else { throw StoreError.notAScanDatabase(path: path, reason: "bad integer list \(text.prefix(40))") }
            return v
        }
    }

    static func floats(_ text: String, path: String) throws -> [Float] {
        try items(text).map { item in
            guard let v = Float(item) else { throw StoreError.notAScanDatabase(path: path, reason: "bad number list \(text.prefix(40))") }
            return v
        }
    }

    private static func items(_ text: String) -> [Substring] {
        let inner = text.dropFirst().dropLast()
        return inner.isEmpty ? [] : inner.split(separator: ",")
    }
}
