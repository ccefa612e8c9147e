/// Merging the shards of one dataset sweep: their per-pair results, concatenated in prompt order, are exactly the
/// results of one whole run (every pair is computed alone), and the means are recomputed from them in prompt order.
public enum SweepShardMerge {
    /// Checks that `headers` are the shards `0..<N` of one sweep (`Shard.order`), loads each shard's results in shard
    /// order (`load(k)`: whether `headers[k]`'s sweep finished, and its results) and checks that each finished shard
    /// holds exactly the pairs of its range (`DatasetSweep.prompts`, weighted by the pairs' tokens). Returns the whole
    /// sweep's header, its results in prompt order and their means. Throws `ShardError.mismatch` naming the source.
    public static func merge(headers: [SweepHeader], sources: [String],
                             load: (Int) throws -> (finished: Bool, results: [PromptResult]))
        throws -> (header: SweepHeader, results: [PromptResult], means: [SweepMean]) {
        let (header, order) = try Shard.order(headers, sources: sources)
        var parts: [(source: String, shard: Shard, results: [PromptResult])] = []
        for k in order {
            let (finished, results) = try load(k)
            guard finished else {
                throw ShardError.mismatch("\(sources[k]) (shard \(headers[k].shard!)) is unfinished: \(results.count) pairs done; "
                                          + "run it again to complete it")
            }
            parts.append((sources[k], headers[k].shard!, results))
        }
        let results = parts.flatMap(\.results)
        guard results.map(\.prompt) == Array(0..<header.records) else {
            throw ShardError.mismatch("the shards hold \(results.count) pairs, not the \(header.records) pairs 0..<\(header.records) in order")
        }
        let tokens = results.map(\.tokens)
        for part in parts {
            let range = DatasetSweep.prompts(of: part.shard, tokens: tokens)
            guard part.results.map(\.prompt) == Array(range) else {
                throw ShardError.mismatch("\(part.source) (shard \(part.shard)) holds pairs "
                                          + "\(part.results.first?.prompt ?? 0)..<\((part.results.last?.prompt ?? -1) + 1), "
                                          + "but its range is \(range)")
            }
        }
        return (header, results, SweepMean.means(results))
    }
}
