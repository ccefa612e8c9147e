import Foundation
import Lens

/// A dataset sweep (`lens sweep`) kept in an SQLite file: its identity, progress, every pair's result and the means,
/// in plain tables any `sqlite3` shell can query (docs/SCALING.md lists them). As a `SweepStore` it makes the sweep
/// resumable: each save appends the next pairs' results and the progress in one transaction, so a sweep killed at any
/// moment restarts after the last saved pair; a database holding another sweep is refused, never mixed.
public final class SweepDatabase: SweepStore {
    /// The file.
    public let path: String
    let db: SQLiteConnection

    static let version = "1"
    static let schema = """
        CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE progress(id INTEGER PRIMARY KEY CHECK (id = 1), prompts INTEGER NOT NULL, finished INTEGER NOT NULL);
        CREATE TABLE results(prompt INTEGER PRIMARY KEY, tokens INTEGER NOT NULL, clean REAL NOT NULL, corrupted REAL NOT NULL,
            shape TEXT NOT NULL, result TEXT NOT NULL);
        CREATE TABLE means(shape TEXT PRIMARY KEY, prompts INTEGER NOT NULL, clean REAL NOT NULL, corrupted REAL NOT NULL,
            result TEXT NOT NULL);
        """

    /// Opens the database at `path` for a sweep, creating the file when missing.
    public init(path: String) throws {
        self.path = path
        db = try SQLiteConnection(path: path, create: true)
    }

    /// Opens an existing sweep database to read it; throws `StoreError.notAScanDatabase` for a missing file or one
    /// that is not a sweep database of this schema version.
    public init(readingAt path: String) throws {
        guard Self.isSweep(at: path) else {
            throw StoreError.notAScanDatabase(path: path, reason: "it is not a SwiftLens sweep database (lens sweep)")
        }
        self.path = path
        db = try SQLiteConnection(path: path, create: false)
        let version = try meta("schema_version")
        guard version == Self.version else {
            throw StoreError.notAScanDatabase(path: path, reason: "sweep schema version \(version ?? "none"), expected \(Self.version)")
        }
    }

    /// Whether `path` holds a sweep database (its `meta` says `kind = sweep`), as opposed to a scan's.
    public static func isSweep(at path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path), let connection = try? SQLiteConnection(path: path, create: false),
              let rows = try? connection.rows("SELECT value FROM meta WHERE key = 'kind'") else { return false }
        return rows.first?.first?.text == "sweep"
    }

    // MARK: SweepStore

    public func begin(_ header: SweepHeader) throws -> [PromptResult] {
        if try !db.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").isEmpty {
            let stored = try self.header()
            if let (field, old, new) = stored.difference(from: header) {
                throw StoreError.otherScan(path: path, field: field, stored: old, requested: new)
            }
            return try results()
        }
        guard try db.rows("SELECT count(*) FROM sqlite_master").first?.first?.int == 0 else {
            throw StoreError.notAScanDatabase(path: path, reason: "it holds other tables; sweeps are written to a new file")
        }
        try db.transaction {
            try db.execute(Self.schema)
            let meta = try db.prepare("INSERT INTO meta VALUES (?, ?)")
            let text = String(decoding: try ScanDatabase.encoder.encode(header), as: UTF8.self)
            for (key, value) in [("schema_version", Self.version), ("kind", "sweep"), ("header", text),
                                 ("model_name", header.modelName), ("created_by", "SwiftLens lens sweep")] {
                try meta.run([.text(key), .text(value)])
            }
            try db.execute("INSERT INTO progress VALUES (1, 0, 0)")
        }
        return []
    }

    public func isFinished() throws -> Bool {
        try db.rows("SELECT finished FROM progress WHERE id = 1").first?.first?.int == 1
    }

    public func save(_ results: [PromptResult], finished means: [SweepMean]?) throws {
        try db.transaction {
            let row = try db.prepare("INSERT INTO results VALUES (?, ?, ?, ?, ?, ?)")
            for r in results {
                try row.run([.int(Int64(r.prompt)), .int(Int64(r.tokens)), .double(Double(r.clean)), .double(Double(r.corrupted)),
                             .text(NumberList.encode(r.shape)), .text(NumberList.encode(r.values))])
            }
            let mean = try db.prepare("INSERT OR REPLACE INTO means VALUES (?, ?, ?, ?, ?)")
            for m in means ?? [] {
                try mean.run([.text(NumberList.encode(m.shape)), .int(Int64(m.prompts)), .double(m.clean), .double(m.corrupted),
                              .text(NumberList.encode(m.values))])
            }
            try db.prepare("UPDATE progress SET prompts = prompts + ?, finished = ? WHERE id = 1")
                .run([.int(Int64(results.count)), .int(means == nil ? 0 : 1)])
        }
    }

    // MARK: Reading

    /// The sweep's identity.
    public func header() throws -> SweepHeader {
        guard let text = try meta("header") else { throw StoreError.notAScanDatabase(path: path, reason: "no header in meta") }
        do { return try JSONDecoder().decode(SweepHeader.self, from: Data(text.utf8)) } catch {
            throw StoreError.notAScanDatabase(path: path, reason: "unreadable sweep header (\(error))")
        }
    }

    /// Pairs saved and whether the sweep finished; nil for a new, empty file.
    public func progress() throws -> (prompts: Int, finished: Bool)? {
        guard try !db.rows("SELECT 1 FROM sqlite_master WHERE name = 'progress'").isEmpty else { return nil }
        return try db.rows("SELECT prompts, finished FROM progress WHERE id = 1").first.map { ($0[0].int, $0[1].int == 1) }
    }

    /// Every saved pair's result, in prompt order.
    public func results() throws -> [PromptResult] {
        try db.rows("SELECT prompt, tokens, clean, corrupted, shape, result FROM results ORDER BY prompt").map { row in
            PromptResult(prompt: row[0].int, tokens: row[1].int, clean: Float(row[2].double), corrupted: Float(row[3].double),
                         shape: try NumberList.ints(row[4].text, path: path), values: try NumberList.floats(row[5].text, path: path))
        }
    }

    /// The means by shape (written when the sweep finished).
    public func means() throws -> [SweepMean] {
        try db.rows("SELECT shape, prompts, clean, corrupted, result FROM means ORDER BY shape").map { row in
            SweepMean(shape: try NumberList.ints(row[0].text, path: path), prompts: row[1].int, clean: row[2].double,
                      corrupted: row[3].double, values: try NumberList.floats(row[4].text, path: path))
        }
    }

    func meta(_ key: String) throws -> String? {
        try db.rows("SELECT value FROM meta WHERE key = ?", [.text(key)]).first?.first?.text
    }

    /// Merges the databases of the shards of one sweep (`lens sweep --shard I/N`) into `output`, which then holds
    /// exactly what one process running the whole dataset writes. Refuses, as `ScanDatabase.merge` does, shards of
    /// other sweeps, duplicate, missing or unfinished shards, and an existing output that holds anything else.
    public static func merge(shards paths: [String], into output: String) throws -> MergeOutcome {
        let databases = try paths.map { try SweepDatabase(readingAt: $0) }
        let (header, results, means) = try SweepShardMerge.merge(headers: try databases.map { try $0.header() }, sources: paths) {
            (try databases[$0].isFinished(), try databases[$0].results())
        }
        let outcome = { (written: Bool) in
            MergeOutcome(shards: paths.count, items: results.count, tokens: results.reduce(0) { $0 + $1.tokens }, written: written)
        }
        if FileManager.default.fileExists(atPath: output) {
            let existing = try SweepDatabase(readingAt: output)
            guard try existing.header() == header, try existing.isFinished(), try existing.results() == results,
                  try existing.means() == means.sorted(by: { NumberList.encode($0.shape) < NumberList.encode($1.shape) }) else {
                throw ShardError.mismatch("\(output) exists and holds other results; delete it to write this merge")
            }
            return outcome(false)
        }
        try writeAtomically(output) { path in
            let database = try SweepDatabase(path: path)
            _ = try database.begin(header)
            try database.save(results, finished: means)
            try database.db.prepare("UPDATE meta SET value = ? WHERE key = 'created_by'")
                .run([.text("SwiftLens lens merge of \(paths.count) shards")])
        }
        return outcome(true)
    }
}
