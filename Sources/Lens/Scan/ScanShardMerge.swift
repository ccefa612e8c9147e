/// Merging the shards of one corpus scan into exactly what one process scanning the whole corpus holds.
///
/// Shard `k` of `N` scans the `k`-th range of batches of `Shard.ranges` (weights: tokens per batch), so its
/// contexts are the same contexts, in the same batches, as in a whole scan; every statistic merges exactly:
/// counts, fixed-point sums and histogram bins add, top lists are re-ranked by (value, context) and band samples
/// keep the lowest priorities of the union.
public enum ScanShardMerge {
    /// Batches of a scan of `contexts` contexts in batches of `batchSize`, weighted by their tokens (the last batch
    /// may be short): the weights `Shard.ranges` splits.
    public static func batchWeights(contexts: Int, batchSize: Int, contextLength: Int) -> [Int] {
        stride(from: 0, to: contexts, by: batchSize).map { Swift.min(batchSize, contexts - $0) * contextLength }
    }

    /// The batches shard `shard` scans, for a corpus of `contexts` contexts.
    public static func batches(of shard: Shard, contexts: Int, options: ScanOptions, packing: PackingOptions) -> Range<Int> {
        shard.range(weights: batchWeights(contexts: contexts, batchSize: options.batchSize, contextLength: packing.contextLength))
    }

    /// Checks that a shard's checkpoint is finished and holds exactly the contexts of its range.
    public static func check(_ checkpoint: ScanCheckpoint, shard: Shard, header: ScanHeader, source: String) throws {
        guard let report = checkpoint.report else {
            throw ShardError.mismatch("\(source) (shard \(shard)) is unfinished: \(checkpoint.contexts) contexts scanned, "
                                      + "next batch \(checkpoint.nextBatch); run it again to complete it")
        }
        let range = batches(of: shard, contexts: report.contexts, options: header.options, packing: header.packing)
        let b = header.options.batchSize
        let expected = Swift.min(report.contexts, range.upperBound * b) - Swift.min(report.contexts, range.lowerBound * b)
        guard checkpoint.nextBatch == range.upperBound, checkpoint.contexts == expected else {
            throw ShardError.mismatch("\(source) (shard \(shard)) holds \(checkpoint.contexts) contexts up to batch "
                                      + "\(checkpoint.nextBatch), but its range is batches \(range) (\(expected) contexts)")
        }
    }

    /// Merges the shards of one scan: checks that `headers` are the shards `0..<N` of one scan (`order`), then loads
    /// their checkpoints one at a time in shard order (`load(k)`: the checkpoint of `headers[k]`), checks each
    /// (`check`) and adds it up, so memory holds two shards' statistics at most. Returns the whole scan's header and
    /// checkpoint, every unit marked changed.
    public static func merge(headers: [ScanHeader], sources: [String],
                             load: (Int) throws -> ScanCheckpoint) throws -> (header: ScanHeader, checkpoint: ScanCheckpoint) {
        let (header, order) = try Shard.order(headers, sources: sources)
        var merged: ScanCheckpoint?
        for k in order {
            let part = try load(k)
            try check(part, shard: headers[k].shard!, header: header, source: sources[k])
            let start = merged ?? ScanCheckpoint(nextBatch: 0, contexts: 0, statistics: header.unitSets.map {
                UnitStatistics(count: $0.count, options: header.options, salt: UnitStatistics.salt(forSetNamed: $0.name))
            }, report: part.report)
            do { merged = try merge(start, part) } catch let ShardError.mismatch(reason) {
                throw ShardError.mismatch("\(sources[k]): \(reason)")
            }
        }
        return (header, merged!)
    }

    /// Two checkpoints of consecutive parts of one scan (`a` before `b`) as one.
    public static func merge(_ a: ScanCheckpoint, _ b: ScanCheckpoint) throws -> ScanCheckpoint {
        guard a.report == b.report else { throw ShardError.mismatch("the shards read the corpus differently (reports differ)") }
        guard a.statistics.count == b.statistics.count else {
            throw ShardError.mismatch("\(a.statistics.count) and \(b.statistics.count) unit sets")
        }
        let statistics = try zip(a.statistics, b.statistics).map { try $0.merged(with: $1) }
        return ScanCheckpoint(nextBatch: Swift.max(a.nextBatch, b.nextBatch), contexts: a.contexts + b.contexts,
                              statistics: statistics, report: a.report)
    }
}

extension UnitStatistics {
    /// The statistics of both parts' tokens together, exactly as one pass over them gives: counts, sums and histogram
    /// bins added, the top lists re-ranked by (value, lower context) and cut to `topK`, each band's samples the
    /// `samplesPerBand` lowest priorities of both. Every unit is marked changed, so a store saves it whole. Throws
    /// `ShardError.mismatch` for parts of other unit sets or options, or that share a context (overlapping parts).
    public func merged(with other: UnitStatistics) throws -> UnitStatistics {
        guard count == other.count, options == other.options, salt == other.salt else {
            throw ShardError.mismatch("unit sets of \(count) and \(other.count) units with different options or names")
        }
        var result = self
        result.tokens += other.tokens
        for u in 0..<count {
            result.firing[u] += other.firing[u]
            result.sum[u] += other.sum[u]
            result.sumActive[u] += other.sumActive[u]
        }
        for k in histogram.indices { result.histogram[k] += other.histogram[k] }
        for u in 0..<count {
            result.top[u] = try Self.mergedTop(top[u], other.top[u], keep: options.topK)
            result.samples[u] = Self.mergedSamples(samples[u] + other.samples[u], perBand: options.samplesPerBand)
            result.statsChanged[u] = true
            result.examplesChanged[u] = true
        }
        return result
    }

    /// Two ranked lists as one, best `keep` first; a context in both lists means the parts overlap.
    static func mergedTop(_ a: [ActivationExample], _ b: [ActivationExample], keep: Int) throws -> [ActivationExample] {
        var merged: [ActivationExample] = []
        merged.reserveCapacity(Swift.min(keep, a.count + b.count))
        var i = 0, j = 0
        while merged.count < keep, i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].ranksBefore(b[j])) {
                merged.append(a[i]); i += 1
            } else {
                merged.append(b[j]); j += 1
            }
        }
        let contexts = Set(a.map(\.context))
        if let shared = b.first(where: { contexts.contains($0.context) }) {
            throw ShardError.mismatch("context \(shared.context) was scanned by two shards")
        }
        return merged
    }

    /// Each band's `perBand` samples of lowest priority (ties: lower context, then position), by band and priority.
    static func mergedSamples(_ samples: [BandSample], perBand: Int) -> [BandSample] {
        let sorted = samples.sorted {
            ($0.band, $0.priority, $0.example.context, $0.example.position)
                < ($1.band, $1.priority, $1.example.context, $1.example.position)
        }
        var kept: [BandSample] = [], run = 0
        for (k, sample) in sorted.enumerated() {
            run = k > 0 && sorted[k - 1].band == sample.band ? run + 1 : 0
            if run < perBand { kept.append(sample) }
        }
        return kept
    }
}
