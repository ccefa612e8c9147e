import Foundation

/// A patching sweep over a dataset of prompt pairs: the exact sweep (`actPatch`) or its attribution-patching estimate
/// (`attributionPatch`) of every pair, one pair at a time, with the logit difference `logit(answer) − logit(wrong)` at
/// the last position as metric (normalised per pair: 0 = the corrupted run, 1 = the clean run, unless `normalized`
/// is false), and the mean over the pairs of each result shape.
///
/// Each pair is computed alone (batch 1), so its result does not depend on which pairs share a process: shards
/// (`Shard`, contiguous pairs balanced by tokens) merge into exactly the results of one whole run.
public struct DatasetSweep: Sendable {
    /// How each pair's sweep is computed.
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// Every patch run (`actPatch`, fast strategy).
        case exact
        /// The first-order estimate from one backward pass (`attributionPatch`).
        case attribution
    }

    /// The sweep.
    public var sweep: PatchSweep
    /// Exact or attribution patching.
    public var method: Method
    /// Normalise each pair's metric by its clean and corrupted values.
    public var normalized: Bool

    /// A sweep.
    public init(sweep: PatchSweep, method: Method = .exact, normalized: Bool = true) {
        (self.sweep, self.method, self.normalized) = (sweep, method, normalized)
    }

    /// The header that identifies this sweep (or `shard` of it) of `model` over `dataset`.
    public func header(model: LensModel, dataset: PromptDataset, modelName: String, shard: Shard? = nil) -> SweepHeader {
        SweepHeader(modelName: modelName, modelFingerprint: CorpusScan.fingerprint(model.transformer),
                    datasetFingerprint: dataset.fingerprint, datasetFile: dataset.file.lastPathComponent,
                    records: dataset.records.count, sweep: sweep.rawValue, method: method, normalized: normalized, shard: shard)
    }

    /// The pairs shard `shard` runs: its range of `Shard.ranges` weighted by the pairs' token counts.
    public static func prompts(of shard: Shard?, tokens: [Int]) -> Range<Int> {
        shard?.range(weights: tokens) ?? 0..<tokens.count
    }

    /// Runs the sweep over `dataset` (or `shard`'s part of it). With a `store` it resumes after the last saved pair and
    /// saves whenever `checkpointSeconds` have passed, and at the end with the means; a finished store is returned as
    /// it is. Throws `DatasetError` naming the line of a pair that cannot be tokenized or normalised.
    public func run(model: LensModel, dataset: PromptDataset, modelName: String = "model", store: (any SweepStore)? = nil,
                    shard: Shard? = nil, checkpointSeconds: Double = 5, showProgress: Bool = false) throws -> SweepResult {
        let header = self.header(model: model, dataset: dataset, modelName: modelName, shard: shard)
        let pairs = try dataset.tokenized(model: model)
        let range = Self.prompts(of: shard, tokens: pairs.map(\.clean.count))
        var results = try store?.begin(header) ?? []
        if let store, try store.isFinished() {
            return SweepResult(header: header, results: results, means: SweepMean.means(results))
        }
        guard results.map(\.prompt) == Array(range.prefix(results.count)) else {
            throw DatasetError.badRecord(dataset.file.path, line: 0, "the stored results are not the first prompts of \(range)")
        }
        let progress = ProgressBar("lens sweep", total: range.count, enabled: showProgress)
        defer { progress.finish() }
        progress.advance(by: results.count)
        var pending: [PromptResult] = [], lastSave = DispatchTime.now().uptimeNanoseconds
        for k in range.dropFirst(results.count) {
            let result = try self.result(pairs[k], prompt: k, model: model, line: dataset.lines[k], file: dataset.file.path)
            results.append(result)
            pending.append(result)
            progress.advance(by: 1)
            if let store, Double(DispatchTime.now().uptimeNanoseconds - lastSave) / 1e9 >= checkpointSeconds {
                try store.save(pending, finished: nil)
                pending.removeAll()
                lastSave = DispatchTime.now().uptimeNanoseconds
            }
        }
        let means = SweepMean.means(results)
        try store?.save(pending, finished: means)
        return SweepResult(header: header, results: results, means: means)
    }

    /// One pair's result (batch 1).
    public func result(_ pair: TokenizedPair, prompt: Int, model: LensModel, line: Int = 0, file: String = "") throws -> PromptResult {
        let clean = Tensor(ints: pair.clean, shape: [1, pair.clean.count])
        let corrupted = Tensor(ints: pair.corrupted, shape: [1, pair.corrupted.count])
        let metric = try GradientMetric.logitDiff(answers: [pair.answer], wrong: [pair.wrong])
        let cleanValue = try metric.patchingMetric(model(clean)), corruptedValue = try metric.patchingMetric(model(corrupted))
        var used = metric
        if normalized {
            guard cleanValue != corruptedValue, (cleanValue - corruptedValue).isFinite else {
                throw DatasetError.badRecord(file, line: line, "the clean and corrupted logit differences are both \(cleanValue): "
                                             + "the metric cannot be normalised (run the sweep raw)")
            }
            used = try metric.normalized(clean: cleanValue, corrupted: corruptedValue)
        }
        let values: Tensor
        switch method {
        case .exact:
            values = try model.actPatch(sweep, clean: clean, corrupted: corrupted, metric: used.patchingMetric,
                                        options: PatchingOptions(showProgress: false))
        case .attribution:
            values = try model.attributionPatch(sweep, clean: clean, corrupted: corrupted, metric: used)
        }
        return PromptResult(prompt: prompt, tokens: pair.clean.count, clean: cleanValue, corrupted: corruptedValue,
                            shape: values.shape, values: values.scalars)
    }
}

/// One pair's sweep result.
public struct PromptResult: Sendable, Equatable, Codable {
    /// The pair's index in the dataset.
    public var prompt: Int
    /// Tokens of the clean prompt (BOS included).
    public var tokens: Int
    /// The raw metric (logit difference) of the clean and corrupted runs.
    public var clean: Float, corrupted: Float
    /// The result's shape (`PatchSweep`'s layout).
    public var shape: [Int]
    /// The result, row-major.
    public var values: [Float]

    /// A result.
    public init(prompt: Int, tokens: Int, clean: Float, corrupted: Float, shape: [Int], values: [Float]) {
        (self.prompt, self.tokens, self.clean, self.corrupted, self.shape, self.values) = (prompt, tokens, clean, corrupted, shape, values)
    }
}

/// The mean of the results of one shape (pairs of different lengths give by-position sweeps of different shapes).
public struct SweepMean: Sendable, Equatable {
    /// The shape.
    public var shape: [Int]
    /// Pairs averaged.
    public var prompts: Int
    /// Mean raw clean and corrupted metrics.
    public var clean: Double, corrupted: Double
    /// The elementwise mean, row-major.
    public var values: [Float]

    /// A mean.
    public init(shape: [Int], prompts: Int, clean: Double, corrupted: Double, values: [Float]) {
        (self.shape, self.prompts, self.clean, self.corrupted, self.values) = (shape, prompts, clean, corrupted, values)
    }

    /// The means of `results` by shape (shapes in order of first appearance): each element summed in Double in
    /// prompt order and divided by the count, so the same results in the same order give the same bits.
    public static func means(_ results: [PromptResult]) -> [SweepMean] {
        var order: [[Int]] = [], groups: [[Int]: [PromptResult]] = [:]
        for result in results.sorted(by: { $0.prompt < $1.prompt }) {
            if groups[result.shape] == nil { order.append(result.shape) }
            groups[result.shape, default: []].append(result)
        }
        return order.map { shape in
            let group = groups[shape]!, n = Double(group.count)
            var sums = [Double](repeating: 0, count: group[0].values.count), clean = 0.0, corrupted = 0.0
            for result in group {
                for (k, v) in result.values.enumerated() { sums[k] += Double(v) }
                clean += Double(result.clean)
                corrupted += Double(result.corrupted)
            }
            return SweepMean(shape: shape, prompts: group.count, clean: clean / n, corrupted: corrupted / n,
                             values: sums.map { Float($0 / n) })
        }
    }
}

/// A finished (or resumed-finished) dataset sweep.
public struct SweepResult: Sendable {
    /// What was run.
    public let header: SweepHeader
    /// Per pair, in prompt order.
    public let results: [PromptResult]
    /// Means by shape.
    public let means: [SweepMean]
}

/// What identifies a dataset sweep: model, dataset, sweep, method and normalisation, and the shard. A store holding one
/// sweep refuses another.
public struct SweepHeader: Sendable, Equatable, Codable, ShardedHeader {
    /// The model folder's name (shown, not compared).
    public var modelName: String
    /// `CorpusScan`'s hash of the model's configuration and weights.
    public var modelFingerprint: String
    /// The dataset file's hash.
    public var datasetFingerprint: String
    /// The dataset file's name (shown, not compared).
    public var datasetFile: String
    /// Records in the dataset.
    public var records: Int
    /// `PatchSweep.rawValue`.
    public var sweep: String
    /// Exact or attribution.
    public var method: DatasetSweep.Method
    /// Normalised metric.
    public var normalized: Bool
    /// The part of the dataset (nil: all of it).
    public var shard: Shard?

    /// The first field that makes `other` another sweep, as `(field, this value, other value)`; nil when equal.
    public func difference(from other: SweepHeader) -> (field: String, stored: String, requested: String)? {
        let fields: [(String, String, String)] = [
            ("model", "\(modelName) (\(modelFingerprint))", "\(other.modelName) (\(other.modelFingerprint))"),
            ("dataset", "\(datasetFile) (\(datasetFingerprint), \(records) records)",
             "\(other.datasetFile) (\(other.datasetFingerprint), \(other.records) records)"),
            ("sweep", "\(sweep) \(method.rawValue)\(normalized ? "" : " raw")",
             "\(other.sweep) \(other.method.rawValue)\(other.normalized ? "" : " raw")"),
            ("shard", shard.map { "shard \($0)" } ?? "the whole dataset", other.shard.map { "shard \($0)" } ?? "the whole dataset"),
        ]
        let same = [modelFingerprint == other.modelFingerprint,
                    datasetFingerprint == other.datasetFingerprint && records == other.records,
                    sweep == other.sweep && method == other.method && normalized == other.normalized, shard == other.shard]
        return zip(fields, same).first { !$0.1 }?.0
    }
}

/// Where a dataset sweep keeps its results so that it can stop at any moment and resume (`SweepDatabase` of
/// LensStore). Each `save` is atomic.
public protocol SweepStore: AnyObject {
    /// Opens the sweep: a new store records `header` and returns no results; a store holding the same sweep returns
    /// its saved results in prompt order; one holding another sweep throws, naming the field that differs.
    func begin(_ header: SweepHeader) throws -> [PromptResult]
    /// Whether the store holds a finished sweep.
    func isFinished() throws -> Bool
    /// Appends `results` (the next prompts) and, with `finished` means, marks the sweep finished, in one transaction.
    func save(_ results: [PromptResult], finished: [SweepMean]?) throws
}
