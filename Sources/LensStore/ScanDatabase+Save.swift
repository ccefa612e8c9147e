import Foundation
import Lens

/// The examples a database holds for each unit of one set: the contexts of its top examples and the keys of its
/// band samples. A save compares them with the statistics and writes only the difference.
struct WrittenExamples {
    /// A band sample's key.
    struct SampleKey: Hashable { let band: Int, priority: UInt64 }

    var top: [[Int]]
    var samples: [[SampleKey]]

    /// Nothing written yet, for `count` units.
    init(count: Int) {
        top = Array(repeating: [], count: count)
        samples = Array(repeating: [], count: count)
    }

    /// What `statistics` holds (read back from the database).
    init(_ statistics: UnitStatistics) {
        top = statistics.top.map { $0.map(\.context) }
        samples = statistics.samples.map { $0.map { SampleKey(band: $0.band, priority: $0.priority) } }
    }
}

extension ScanDatabase {
    /// Writes a checkpoint in one transaction: the progress; for every unit whose statistics changed, its `units` row
    /// (counts, sums, max, histogram); for every unit whose examples changed, the examples that entered its top list
    /// or samples and the deletion of those that left. Rows that did not change are not touched.
    public func save(_ checkpoint: ScanCheckpoint) throws {
        var updated = written
        try db.transaction {
            let report = try checkpoint.report.map { String(decoding: try Self.encoder.encode($0), as: UTF8.self) }
            try db.prepare("UPDATE progress SET next_batch = ?, contexts = ?, tokens = ?, finished = ?, report = ? WHERE id = 1")
                .run([.int(Int64(checkpoint.nextBatch)), .int(Int64(checkpoint.contexts)),
                      .int(Int64(checkpoint.statistics.first?.tokens ?? 0)), .int(checkpoint.finished ? 1 : 0),
                      report.map { .text($0) } ?? .null])
            let statements = try SaveStatements(db)
            for (s, stats) in checkpoint.statistics.enumerated() {
                if updated.count <= s { updated.append(nil) }
                try statements.setTokens.run([.int(Int64(stats.tokens)), .int(Int64(s))])
                updated[s] = try save(stats, set: s, written: updated[s], statements)
            }
        }
        written = updated
    }

    /// The prepared statements of one save.
    private struct SaveStatements {
        let setTokens, unitRow, unitMax, clearTop, deleteTop, insertTop, clearSamples, deleteSample, insertSample: SQLiteStatement

        init(_ db: SQLiteConnection) throws {
            setTokens = try db.prepare("UPDATE unit_sets SET tokens = ? WHERE set_id = ?")
            unitRow = try db.prepare("UPDATE units SET firing = ?, sum = ?, sum_active = ?, max = ?, histogram = ? "
                                     + "WHERE set_id = ? AND unit = ?")
            unitMax = try db.prepare("UPDATE units SET max = ? WHERE set_id = ? AND unit = ?")
            clearTop = try db.prepare("DELETE FROM top_windows WHERE set_id = ? AND unit = ?")
            deleteTop = try db.prepare("DELETE FROM top_windows WHERE set_id = ? AND unit = ? AND context = ?")
            insertTop = try db.prepare("INSERT INTO top_windows VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
            clearSamples = try db.prepare("DELETE FROM band_samples WHERE set_id = ? AND unit = ?")
            deleteSample = try db.prepare("DELETE FROM band_samples WHERE set_id = ? AND unit = ? AND band = ? AND priority = ?")
            insertSample = try db.prepare("INSERT OR REPLACE INTO band_samples VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        }
    }

    /// Writes the changed units of one set; returns what the set's example rows are afterwards.
    private func save(_ stats: UnitStatistics, set s: Int, written: WrittenExamples?, _ statements: SaveStatements) throws
        -> WrittenExamples {
        var now = written ?? WrittenExamples(count: stats.count)
        var text = RowText()
        let set = Int64(s), binCount = stats.options.bins.count
        try stats.histogram.withUnsafeBufferPointer { histogram in
            for u in 0..<stats.count where stats.statsChanged[u] || stats.examplesChanged[u] {
                let unit = Int64(u), max = stats.max(u).map(Double.init)
                if stats.statsChanged[u] {
                    let row = statements.unitRow
                    row.reset()
                    try row.bind(stats.firing[u], at: 1)
                    try text.bind(String(stats.sum[u]), to: row, at: 2)
                    try text.bind(String(stats.sumActive[u]), to: row, at: 3)
                    try row.bind(max, at: 4)
                    try text.bind(counts: UnsafeBufferPointer(rebasing: histogram[(u * binCount)..<((u + 1) * binCount)]),
                                  to: row, at: 5)
                    try row.bind(set, at: 6)
                    try row.bind(unit, at: 7)
                    try row.finish()
                } else {
                    try statements.unitMax.run([max.map { .double($0) } ?? .null, .int(set), .int(unit)])
                }
                guard stats.examplesChanged[u] else { continue }
                now.top[u] = try saveTop(stats.top[u], old: written?.top[u], set: set, unit: unit, statements, &text)
                now.samples[u] = try saveSamples(stats.samples[u], old: written?.samples[u], set: set, unit: unit,
                                                 statements, &text)
            }
        }
        return now
    }

    /// Deletes the top examples that left (all of them when `old` is unknown) and inserts those that entered.
    private func saveTop(_ top: [ActivationExample], old: [Int]?, set: Int64, unit: Int64,
                         _ statements: SaveStatements, _ text: inout RowText) throws -> [Int] {
        let contexts = top.map(\.context)
        if let old {
            for context in old where !contexts.contains(context) {
                try statements.deleteTop.run([.int(set), .int(unit), .int(Int64(context))])
            }
        } else {
            try statements.clearTop.run([.int(set), .int(unit)])
        }
        let insert = statements.insertTop
        for example in top where old?.contains(example.context) != true {
            insert.reset()
            try insert.bind(set, at: 1)
            try insert.bind(unit, at: 2)
            try insert.bind(Int64(example.context), at: 3)
            try text.bind(example, context: false, to: insert, from: 4)
        }
        return contexts
    }

    /// Deletes the band samples that left (all of them when `old` is unknown) and inserts those that entered.
    private func saveSamples(_ samples: [BandSample], old: [WrittenExamples.SampleKey]?, set: Int64, unit: Int64,
                             _ statements: SaveStatements, _ text: inout RowText) throws -> [WrittenExamples.SampleKey] {
        let keys = samples.map { WrittenExamples.SampleKey(band: $0.band, priority: $0.priority) }
        if let old {
            for key in old where !keys.contains(key) {
                try statements.deleteSample.run([.int(set), .int(unit), .int(Int64(key.band)), .int(Int64(bitPattern: key.priority))])
            }
        } else {
            try statements.clearSamples.run([.int(set), .int(unit)])
        }
        let insert = statements.insertSample
        for (key, sample) in zip(keys, samples) where old?.contains(key) != true {
            insert.reset()
            try insert.bind(set, at: 1)
            try insert.bind(unit, at: 2)
            try insert.bind(Int64(key.band), at: 3)
            try insert.bind(Int64(bitPattern: key.priority), at: 4)
            try text.bind(sample.example, context: true, to: insert, from: 5)
        }
        return keys
    }
}

/// One reused buffer for the text a save binds (decimal sums, JSON arrays), so that a row costs no allocation.
private struct RowText {
    private var bytes: [UInt8] = []

    /// Binds `string` to parameter `index`.
    mutating func bind(_ string: String, to statement: SQLiteStatement, at index: Int32) throws {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(contentsOf: string.utf8)
        try bytes.withUnsafeBytes { try statement.bindText($0, at: index) }
    }

    /// Binds histogram counts as a JSON array to parameter `index`.
    mutating func bind(counts: UnsafeBufferPointer<Int64>, to statement: SQLiteStatement, at index: Int32) throws {
        bytes.removeAll(keepingCapacity: true)
        StoredArrays.appendJSON(counts, to: &bytes)
        try bytes.withUnsafeBytes { try statement.bindText($0, at: index) }
    }

    /// Binds value, (context,) position, window start, tokens (JSON) and activations (float32 BLOB) of an example
    /// to the parameters from `first` on, and runs the statement.
    mutating func bind(_ example: ActivationExample, context: Bool, to statement: SQLiteStatement, from first: Int32) throws {
        var index = first
        try statement.bind(Double(example.value), at: index)
        if context {
            index += 1
            try statement.bind(Int64(example.context), at: index)
        }
        try statement.bind(Int64(example.position), at: index + 1)
        try statement.bind(Int64(example.windowStart), at: index + 2)
        bytes.removeAll(keepingCapacity: true)
        StoredArrays.appendJSON(example.tokens, to: &bytes)
        try bytes.withUnsafeBytes { try statement.bindText($0, at: index + 3) }
        try StoredArrays.withBlob(example.activations) { try statement.bindBlob($0, at: index + 4) }
        try statement.finish()
    }
}
