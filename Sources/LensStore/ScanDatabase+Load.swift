import Foundation
import Lens

extension ScanDatabase {
    /// The scan's identity.
    public func header() throws -> ScanHeader {
        guard let text = try meta("header") else { throw StoreError.notAScanDatabase(path: path, reason: "no header in meta") }
        do { return try JSONDecoder().decode(ScanHeader.self, from: Data(text.utf8)) } catch {
            throw StoreError.notAScanDatabase(path: path, reason: "unreadable header (\(error))")
        }
    }

    /// The saved state, exactly as the scan had it at its last save.
    public func checkpoint() throws -> ScanCheckpoint {
        let header = try header()
        guard let progress = try db.rows("SELECT next_batch, contexts, report FROM progress WHERE id = 1").first else {
            throw StoreError.notAScanDatabase(path: path, reason: "no progress row")
        }
        let report = try progress[2].text.isEmpty ? nil : JSONDecoder().decode(CorpusReport.self, from: Data(progress[2].text.utf8))
        let statistics = try header.unitSets.indices.map { try loadStatistics(set: $0, header: header) }
        return ScanCheckpoint(nextBatch: progress[0].int, contexts: progress[1].int, statistics: statistics, report: report)
    }

    /// Unit set `set`'s statistics.
    func loadStatistics(set: Int, header: ScanHeader) throws -> UnitStatistics {
        let info = header.unitSets[set], options = header.options, n = info.count, binCount = options.bins.count
        let key: [SQLValue] = [.int(Int64(set))]
        let tokens = try db.rows("SELECT tokens FROM unit_sets WHERE set_id = ?", key).first?.first?.int ?? 0
        var firing = [Int64](repeating: 0, count: n), sum = [Int128](repeating: 0, count: n), sumActive = sum
        for row in try db.rows("SELECT unit, firing, sum, sum_active FROM units WHERE set_id = ?", key) {
            let u = try unitIndex(row[0], set: set, count: n)
            firing[u] = Int64(row[1].int)
            guard let s = Int128(row[2].text), let a = Int128(row[3].text) else {
                throw StoreError.notAScanDatabase(path: path, reason: "unit \(u) of set \(set) has unreadable sums")
            }
            (sum[u], sumActive[u]) = (s, a)
        }
        var histogram = [Int64](repeating: 0, count: n * binCount)
        for row in try db.rows("SELECT unit, bin, count FROM histogram WHERE set_id = ?", key) {
            let u = try unitIndex(row[0], set: set, count: n)
            guard (0..<binCount).contains(row[1].int) else { throw StoreError.notAScanDatabase(path: path, reason: "bad bin \(row[1].int)") }
            histogram[u * binCount + row[1].int] = Int64(row[2].int)
        }
        var top = [[ActivationExample]](repeating: [], count: n)
        for row in try db.rows("SELECT unit, value, context, position, window_start, tokens, activations FROM top_examples "
                               + "WHERE set_id = ? ORDER BY unit, rank", key) {
            top[try unitIndex(row[0], set: set, count: n)].append(try example(Array(row[1...])))
        }
        var samples = [[BandSample]](repeating: [], count: n)
        for row in try db.rows("SELECT unit, band, priority, value, context, position, window_start, tokens, activations "
                               + "FROM band_samples WHERE set_id = ? ORDER BY unit, band, priority", key) {
            samples[try unitIndex(row[0], set: set, count: n)].append(
                BandSample(band: row[1].int, priority: UInt64(bitPattern: Int64(row[2].int)), example: try example(Array(row[3...]))))
        }
        do {
            return try UnitStatistics(count: n, options: options, salt: UnitStatistics.salt(forSetNamed: info.name), tokens: tokens,
                                      firing: firing, sum: sum, sumActive: sumActive, histogram: histogram, top: top,
                                      samples: samples)
        } catch {
            throw StoreError.notAScanDatabase(path: path, reason: "\(error)")
        }
    }

    /// An example from value, context, position, window start, tokens, activations.
    func example(_ row: [SQLValue]) throws -> ActivationExample {
        ActivationExample(value: Float(row[0].double), context: row[1].int, position: row[2].int, windowStart: row[3].int,
                          tokens: try NumberList.ints(row[4].text, path: path),
                          activations: try NumberList.floats(row[5].text, path: path))
    }

    /// A stored unit index, checked against the set's size.
    private func unitIndex(_ value: SQLValue, set: Int, count: Int) throws -> Int {
        guard (0..<count).contains(value.int) else { throw StoreError.noSuchUnit(path: path, set: set, unit: value.int) }
        return value.int
    }

    /// Labels, logit effects and vocabulary.
    public func description() throws -> ScanDescription {
        let header = try header()
        var labels = header.unitSets.map { [String](repeating: "", count: $0.count) }
        for row in try db.rows("SELECT set_id, unit, label FROM units") where labels.indices.contains(row[0].int) {
            let s = row[0].int
            if labels[s].indices.contains(row[1].int) { labels[s][row[1].int] = row[2].text }
        }
        var effects: [[LogitEffects]?] = header.unitSets.map { _ in nil }
        for row in try db.rows("SELECT set_id, unit, sign, token, value FROM logit_effects ORDER BY set_id, unit, sign DESC, rank") {
            let s = row[0].int, u = row[1].int
            guard header.unitSets.indices.contains(s), (0..<header.unitSets[s].count).contains(u) else { continue }
            if effects[s] == nil {
                effects[s] = Array(repeating: LogitEffects(boosted: [], suppressed: []), count: header.unitSets[s].count)
            }
            let entry = LogitEffects.Entry(token: row[3].int, value: Float(row[4].double))
            if row[2].int > 0 { effects[s]![u].boosted.append(entry) } else { effects[s]![u].suppressed.append(entry) }
        }
        return ScanDescription(labels: labels, logitEffects: effects, vocabulary: try vocabulary())
    }

    /// The text of every token id.
    public func vocabulary() throws -> [String] {
        try db.rows("SELECT text FROM vocab ORDER BY token").map { $0[0].text }
    }
}
