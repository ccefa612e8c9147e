import Foundation

/// A corpus scan as a value: which units to record, what to record about them and how to cut the corpus.
///
/// ```swift
/// let model = try LensModel(pretrained: folder)
/// let sae = try SparseAutoencoder(folder: saeFolder)
/// let scan = CorpusScan(units: [try NeuronUnits(layer: 1, model: model.transformer), try SAEFeatureUnits(sae: sae)],
///                       packing: PackingOptions(contextLength: 128, tokenizer: model.tokenizer))
/// let result = try scan.run(model: model, corpus: try Corpus(paths: ["corpus.txt"]))
/// let busiest = result.summaries(set: 1).sorted { $0.frequency > $1.frequency }.prefix(10)
/// ```
public struct CorpusScan {
    /// The unit sets recorded (names must differ).
    public var units: [any ScanUnits]
    /// What is recorded per unit.
    public var options: ScanOptions
    /// How the corpus is cut into contexts.
    public var packing: PackingOptions

    /// A scan of `units`.
    public init(units: [any ScanUnits], options: ScanOptions = ScanOptions(), packing: PackingOptions) {
        (self.units, self.options, self.packing) = (units, options, packing)
    }

    /// The header that identifies this scan (or `shard` of it) of `model` over `corpus` (hashes the corpus files once).
    public func header(model: LensModel, corpus: Corpus, modelName: String, shard: Shard? = nil) throws -> ScanHeader {
        ScanHeader(modelName: modelName, modelFingerprint: Self.fingerprint(model.transformer),
                   corpusFingerprint: try corpus.fingerprint(), corpusFormat: corpus.format,
                   corpusFiles: corpus.files.map(\.lastPathComponent), packing: packing, options: options,
                   unitSets: units.map { .init(name: $0.name, kind: $0.kind, hooks: $0.hooks, count: $0.count,
                                               fingerprint: $0.fingerprint) }, shard: shard)
    }

    /// Labels, logit effects (through `W_U`) and the vocabulary of this scan on `model`.
    public func describe(model: LensModel) throws -> ScanDescription {
        let effects = try units.map { set -> [LogitEffects]? in
            guard options.logitEffects > 0, let directions = try set.outputDirections(model.transformer) else { return nil }
            return LogitEffects.compute(directions: directions.converted(to: .float32), unembedding: model.W_U,
                                        count: options.logitEffects)
        }
        let vocabulary = (0..<model.config.dVocab).map { model.tokenizer?.idToToken($0) ?? "<\($0)>" }
        return ScanDescription(labels: units.map { set in (0..<set.count).map(set.label) }, logitEffects: effects,
                               vocabulary: vocabulary)
    }

    /// Scans `corpus` with `model` (its attached hooks run too). With a `store` the scan resumes from the store's
    /// last checkpoint and saves one after a batch whenever `checkpointSeconds` have passed (or nine times the
    /// last save's duration, if longer, so saving stays under a tenth of the time), and at the end. `maxBatches`
    /// stops after that many new batches (saved), leaving the rest for a later run. A progress bar on standard
    /// error shows tokens/s and the time left.
    ///
    /// With a `shard` the scan covers only that shard's range of batches (`ScanShardMerge.batches`): it first reads
    /// and tokenizes the whole corpus once, without the model, to count its contexts, then scans its range; its
    /// checkpoint is finished (holding the whole corpus's report) when the range is done. `ScanShardMerge` merges
    /// the shards into exactly the whole scan.
    public func run(model: LensModel, corpus: Corpus, modelName: String = "model", store: (any ScanStore)? = nil,
                    shard: Shard? = nil, checkpointSeconds: Double = 5, maxBatches: Int? = nil,
                    showProgress: Bool = false) throws -> ScanResult {
        try validate(model: model)
        let header = try self.header(model: model, corpus: corpus, modelName: modelName, shard: shard)
        var created: ScanDescription?
        let resumed = try store?.begin(header) {
            created = try describe(model: model)
            return created!
        }
        if let (saved, savedDescription) = resumed, saved.finished {
            return ScanResult(header: header, description: savedDescription, checkpoint: saved, seconds: 0, cpuSeconds: 0)
        }
        let description = try resumed?.1 ?? created ?? describe(model: model)
        let range = try shard.map { try shardRange($0, model: model, corpus: corpus, showProgress: showProgress) }
        var checkpoint = resumed?.0 ?? ScanCheckpoint(nextBatch: range?.batches.lowerBound ?? 0, contexts: 0,
                                                      statistics: freshStatistics(), report: nil)
        let runner = ScanRunner(scan: self, model: model, store: store, checkpoint: checkpoint, range: range,
                                checkpointSeconds: checkpointSeconds, maxBatches: maxBatches, showProgress: showProgress)
        let start = DispatchTime.now().uptimeNanoseconds, startCPU = processCPUSeconds()
        checkpoint = try runner.run(corpus: corpus)
        return ScanResult(header: header, description: description, checkpoint: checkpoint,
                          seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9,
                          cpuSeconds: processCPUSeconds() - startCPU)
    }

    /// A shard's batches and the whole corpus's report, from one pass of the packer over the corpus (no model).
    func shardRange(_ shard: Shard, model: LensModel, corpus: Corpus,
                    showProgress: Bool) throws -> (batches: Range<Int>, report: CorpusReport) {
        let packer = try ContextPacker(corpus: corpus, tokenizer: model.tokenizer, options: packing,
                                       vocabularySize: model.config.dVocab)
        let progress = ProgressBar("lens scan \(shard): counting contexts", total: 1, enabled: showProgress)
        defer { progress.finish() }
        let report = try packer.forEachContext(progress: { fraction in
            progress.update(fraction: Swift.min(fraction, 0.999)) { "\(Int(fraction * 100))%" }
        }) { _, _ in }
        progress.update(fraction: 1) { "\(report.contexts) contexts" }
        return (ScanShardMerge.batches(of: shard, contexts: report.contexts, options: options, packing: packing), report)
    }

    /// Empty statistics for every unit set.
    func freshStatistics() -> [UnitStatistics] {
        units.map { UnitStatistics(count: $0.count, options: options, salt: UnitStatistics.salt(forSetNamed: $0.name)) }
    }

    /// Checks options, unit names and every unit set against the model.
    func validate(model: LensModel) throws {
        try options.validate()
        guard !units.isEmpty else { throw ScanError.invalidOption("a scan needs at least one unit set") }
        var names = Set<String>()
        for set in units {
            guard names.insert(set.name).inserted else { throw ScanError.invalidOption("two unit sets are named \(set.name)") }
            try set.validate(for: model.transformer)
        }
        guard packing.contextLength <= model.config.nCtx || model.config.positionalEmbeddingType != .standard else {
            throw ScanError.invalidOption("context length \(packing.contextLength) exceeds the model's n_ctx \(model.config.nCtx)")
        }
    }

    /// A hash of the model's configuration, weight names and shapes, and up to 4096 evenly spaced elements of every
    /// weight: different checkpoints differ here without reading every weight.
    static func fingerprint(_ model: HookedTransformer) -> String {
        var hash = FNV1a()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        hash.add((try? encoder.encode(model.config)) ?? Data())
        let weights = model.stateDict
        for name in weights.names {
            guard let tensor = weights[name] else { continue }
            hash.add(Array("\(name)\(tensor.shape)".utf8))
            let count = tensor.count, step = Swift.max(1, count / 4096)
            for flat in stride(from: 0, to: count, by: step) {
                var index = [Int](repeating: 0, count: tensor.rank), rest = flat
                for axis in stride(from: tensor.rank - 1, through: 0, by: -1) {
                    index[axis] = rest % tensor.shape[axis]
                    rest /= tensor.shape[axis]
                }
                withUnsafeBytes(of: tensor.value(at: index).bitPattern) { hash.add($0) }
            }
        }
        return hash.hex
    }
}

/// A finished (or stopped) scan: its identity, unit descriptions and statistics.
public struct ScanResult: Sendable {
    /// What was scanned.
    public let header: ScanHeader
    /// Labels, logit effects, vocabulary.
    public let description: ScanDescription
    /// The statistics and progress.
    public let checkpoint: ScanCheckpoint
    /// Seconds this run spent reading the corpus and scanning (setup, such as logit effects, excluded).
    public let seconds: Double
    /// CPU seconds of the process (all threads) over the same span: the cost of the scan on a busy machine.
    public let cpuSeconds: Double

    /// Statistics per unit set.
    public var statistics: [UnitStatistics] { checkpoint.statistics }
}

/// CPU time of this process, all threads, in seconds.
func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
