import Foundation

/// The batch loop of one `CorpusScan.run`: packs contexts, runs the model to the last hooked layer, adds each
/// unit set's activations and saves checkpoints.
final class ScanRunner {
    let scan: CorpusScan
    let model: LensModel
    let store: (any ScanStore)?
    var checkpoint: ScanCheckpoint
    /// A shard's batches and the whole corpus's report (nil: the whole corpus).
    let range: (batches: Range<Int>, report: CorpusReport)?
    let checkpointSeconds: Double
    let maxBatches: Int?
    let showProgress: Bool

    init(scan: CorpusScan, model: LensModel, store: (any ScanStore)?, checkpoint: ScanCheckpoint,
         range: (batches: Range<Int>, report: CorpusReport)? = nil, checkpointSeconds: Double, maxBatches: Int?,
         showProgress: Bool) {
        (self.scan, self.model, self.store, self.checkpoint, self.range) = (scan, model, store, checkpoint, range)
        (self.checkpointSeconds, self.maxBatches, self.showProgress) = (checkpointSeconds, maxBatches, showProgress)
    }

    /// Thrown through the packer to stop reading once `maxBatches` batches are done.
    private struct Stop: Error {}
    /// Thrown through the packer at the end of a shard's range.
    private struct RangeEnd: Error {}

    /// Runs the remaining batches and returns the last checkpoint (with the corpus report when the corpus is done).
    func run(corpus: Corpus) throws -> ScanCheckpoint {
        let packer = try ContextPacker(corpus: corpus, tokenizer: model.tokenizer, options: scan.packing,
                                       vocabularySize: model.config.dVocab)
        let batchSize = scan.options.batchSize
        let skip = checkpoint.nextBatch * batchSize, end = range.map { $0.batches.upperBound * batchSize } ?? Int.max
        let progress = ProgressBar("lens scan", total: 1, enabled: showProgress)
        defer { progress.finish() }
        var fraction = 0.0, tokensRun = 0, batchesRun = 0
        var lastSave = DispatchTime.now().uptimeNanoseconds, lastSaveCost = 0.0
        var batch: [[Int32]] = []
        let hooks = Array(Set(scan.units.flatMap(\.hooks))).sorted()
        let stopAtLayer = Self.lastLayer(hooks).map { $0 + 1 }
        func status() -> String {
            let rate = Double(tokensRun) / Swift.max(progress.elapsed, 1e-9)
            let left = fraction > 0 ? progress.elapsed / fraction * (1 - fraction) : .nan
            return "\(Int(fraction * 100))% \(Self.compact(rate)) tok/s \(Self.clock(left)) left  "
        }
        func runBatch() throws {
            try add(batch, hooks: hooks, stopAtLayer: stopAtLayer)
            tokensRun += batch.count * batch[0].count
            batchesRun += 1
            batch.removeAll(keepingCapacity: true)
            if let batches = range?.batches {
                fraction = Double(checkpoint.nextBatch - batches.lowerBound) / Double(batches.count)
            }
            progress.update(fraction: Swift.min(fraction, 0.999), status: status)
            let now = DispatchTime.now().uptimeNanoseconds
            let due = Double(now - lastSave) / 1e9 >= Swift.max(checkpointSeconds, 9 * lastSaveCost)
            if let store, due || batchesRun == maxBatches {
                try store.save(checkpoint)
                for k in checkpoint.statistics.indices { checkpoint.statistics[k].clearChanges() }
                lastSave = DispatchTime.now().uptimeNanoseconds
                lastSaveCost = Double(lastSave - now) / 1e9
            }
            if batchesRun == maxBatches { throw Stop() }
        }
        // A shard that reaches the end of its range keeps the report of its counting pass over the whole corpus.
        var report = range?.report ?? CorpusReport()
        do {
            // A shard's share done is its share of its batches; a whole scan's, its share of the corpus read.
            if skip < end {
                report = try packer.forEachContext(progress: { if self.range == nil { fraction = $0 } }) { index, tokens in
                    guard index >= skip else { return }
                    if index >= end { throw RangeEnd() }
                    batch.append(tokens)
                    if batch.count == batchSize { try runBatch() }
                }
            }
            if !batch.isEmpty { try runBatch() }
        } catch is Stop {
            return checkpoint
        } catch is RangeEnd {}
        checkpoint.report = report
        try store?.save(checkpoint)
        progress.update(fraction: 1, status: status)
        return checkpoint
    }

    /// Runs one batch to the last hooked layer and adds every unit set's activations.
    private func add(_ batch: [[Int32]], hooks: [String], stopAtLayer: Int?) throws {
        let length = batch[0].count
        let tokens = Tensor(ints: batch.flatMap { $0.map(Int.init) }, shape: [batch.count, length])
        let captured = CapturedActivations()
        _ = try model.runWithHooks(tokens, hooks: hooks.map { hook in
            (HookTarget.name(hook), { activation, _ in captured.values[hook] = activation; return nil })
        }, stopAtLayer: stopAtLayer)
        let first = checkpoint.nextBatch * scan.options.batchSize
        for (k, set) in scan.units.enumerated() {
            try checkpoint.statistics[k].add(set.activations(captured.values), tokens: batch, firstContext: first, name: set.name)
        }
        checkpoint.contexts += batch.count
        checkpoint.nextBatch += 1
    }

    /// The highest block index among `blocks.L.…` hooks; nil when any hook lies after the blocks.
    static func lastLayer(_ hooks: [String]) -> Int? {
        var last = 0
        for hook in hooks {
            guard hook.hasPrefix("blocks."), let layer = HookPoint(name: hook).layer else {
                if hook == "hook_embed" || hook == "hook_pos_embed" { continue }
                return nil
            }
            last = Swift.max(last, layer)
        }
        return last
    }

    /// `12.3k`.
    static func compact(_ x: Double) -> String {
        x >= 1e6 ? String(format: "%.1fM", x / 1e6) : x >= 1e3 ? String(format: "%.1fk", x / 1e3) : String(format: "%.0f", x)
    }

    /// `1:02:03` or `2:03`, `?` when unknown.
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}

/// The activations a batch's hooks saw, by hook name.
private final class CapturedActivations {
    var values: [String: Tensor] = [:]
}
