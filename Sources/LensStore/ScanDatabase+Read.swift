import Lens

/// How the dashboard index orders units.
public enum UnitOrder: String, Sendable, CaseIterable {
    /// Firing frequency, highest first.
    case frequency
    /// Largest activation, highest first.
    case max
    /// Unit index.
    case unit
}

extension ScanDatabase {
    /// Summaries of the units of `set` (all sets when nil) in `order`, `limit` of them from `offset`: what the
    /// dashboard index shows, read from the `unit_stats` view.
    public func summaries(set: Int? = nil, order: UnitOrder = .unit, limit: Int = -1, offset: Int = 0) throws -> [UnitSummary] {
        let orderBy: String
        switch order {
        case .frequency: orderBy = "frequency DESC, set_id, unit"
        case .max: orderBy = "max IS NULL, max DESC, set_id, unit"
        case .unit: orderBy = "set_id, unit"
        }
        let filter = set == nil ? "" : "WHERE set_id = ?"
        let sql = "SELECT set_id, unit, label, tokens, firing, mean, mean_active, max FROM unit_stats \(filter) "
            + "ORDER BY \(orderBy) LIMIT ? OFFSET ?"
        let values: [SQLValue] = (set.map { [.int(Int64($0))] } ?? []) + [.int(Int64(limit)), .int(Int64(offset))]
        return try db.rows(sql, values).map { row in
            UnitSummary(set: row[0].int, unit: row[1].int, label: row[2].text, tokens: row[3].int, firing: row[4].int,
                        mean: row[5].double, meanActive: row[6].double,
                        max: { if case .null = row[7] { return nil } else { return Float(row[7].double) } }())
        }
    }

    /// The dashboard card of one unit.
    public func card(set: Int, unit: Int) throws -> UnitCard {
        let header = try header()
        guard header.unitSets.indices.contains(set), (0..<header.unitSets[set].count).contains(unit) else {
            throw StoreError.noSuchUnit(path: path, set: set, unit: unit)
        }
        let key: [SQLValue] = [.int(Int64(set)), .int(Int64(unit))]
        let row = try db.rows("SELECT set_id, unit, label, tokens, firing, mean, mean_active, max FROM unit_stats "
                              + "WHERE set_id = ? AND unit = ?", key)[0]
        let summary = UnitSummary(set: set, unit: unit, label: row[2].text, tokens: row[3].int, firing: row[4].int,
                                  mean: row[5].double, meanActive: row[6].double,
                                  max: { if case .null = row[7] { return nil } else { return Float(row[7].double) } }())
        var histogram = [Int64](repeating: 0, count: header.options.bins.count)
        for row in try db.rows("SELECT bin, count FROM histogram WHERE set_id = ? AND unit = ?", key)
        where histogram.indices.contains(row[0].int) {
            histogram[row[0].int] = Int64(row[1].int)
        }
        let top = try db.rows("SELECT value, context, position, window_start, tokens, activations FROM top_examples "
                              + "WHERE set_id = ? AND unit = ? ORDER BY rank", key).map(example)
        let samples = try db.rows("SELECT band, priority, value, context, position, window_start, tokens, activations "
                                  + "FROM band_samples WHERE set_id = ? AND unit = ?", key).map {
            BandSample(band: $0[0].int, priority: UInt64(bitPattern: Int64($0[1].int)), example: try example(Array($0[2...])))
        }
        var boosted: [LogitEffects.Entry] = [], suppressed: [LogitEffects.Entry] = []
        for row in try db.rows("SELECT sign, token, value FROM logit_effects WHERE set_id = ? AND unit = ? ORDER BY sign DESC, rank", key) {
            let entry = LogitEffects.Entry(token: row[1].int, value: Float(row[2].double))
            if row[0].int > 0 { boosted.append(entry) } else { suppressed.append(entry) }
        }
        let info = header.unitSets[set]
        return UnitCard(summary: summary, setName: info.name, kind: info.kind, bins: header.options.bins, histogram: histogram,
                        top: top, samples: samples,
                        logitEffects: boosted.isEmpty && suppressed.isEmpty ? nil : LogitEffects(boosted: boosted, suppressed: suppressed))
    }

    /// Contexts and tokens scanned so far, and whether the scan finished.
    public func progress() throws -> (contexts: Int, tokens: Int, finished: Bool) {
        let row = try db.rows("SELECT contexts, tokens, finished FROM progress WHERE id = 1")[0]
        return (row[0].int, row[1].int, row[2].int != 0)
    }
}
