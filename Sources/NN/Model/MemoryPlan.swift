import Foundation

/// The memory a model will take, worked out from `config.json` and the checkpoint's headers before any weight is
/// read or widened: the weights under a `WeightPrecision` policy, the transient peak of loading them, one forward
/// pass at `batch × context` and an activation cache. `check` refuses, with needed vs available and what would
/// fit, before anything large is allocated; `HookedTransformer(pretrained:)` checks the loading part itself.
///
/// Estimates (4 bytes per activation element): weights are the checkpoint's tensors as the architecture converter
/// reads them (views of one span, such as tied embeddings, counted once; every tensor a separate copy once
/// processing rewrites them). Loading adds what is held at once beside them: the mapped pages of the tensor being
/// widened (each is released once converted), or the layer being processed, in Float32 and as mapped pages
/// (processing rewrites widened weights in place and, with stored weights, rounds each layer back and releases
/// its original pages before the next). A forward holds the residual stream, the attention projections, scores and
/// pattern, the MLP hidden layer and the logits; a cache holds each selected hook's activation.
public struct MemoryPlan: Sendable, CustomStringConvertible {
    /// The activations a cache keeps.
    public enum CacheSelection: Sendable, Equatable {
        /// No cache: a plain forward.
        case none
        /// Every hook point (`run_with_cache` without names).
        case all
        /// These hook names, each matched exactly or as a suffix after a dot (`hook_resid_post` is every layer's).
        case hooks([String])
    }

    /// The model folder.
    public let folder: String
    /// The weight policy, resolved (`stored` or `float32`).
    public let precision: WeightPrecision
    /// Whether the weights are processed (folded, centred).
    public let processed: Bool
    /// Weight elements the model holds.
    public let parameters: Int
    /// Bytes of those weights as the checkpoint stores them.
    public let storedBytes: Int
    /// Bytes of the weights once loaded under `precision`.
    public let weightBytes: Int
    /// Bytes in use at the peak of loading (mapped pages being read, copies being made).
    public let loadPeakBytes: Int
    /// The run the plan is for.
    public let batch: Int, context: Int
    /// Bytes of activations one forward pass holds at its peak.
    public let forwardBytes: Int
    /// Bytes of the activation cache.
    public let cacheBytes: Int
    /// Which hooks the cache holds.
    public let cache: CacheSelection
    /// What the process needs besides tensors (runtime, BLAS buffers, tokenizer): a measured allowance.
    public static let runtimeBytes = 96 << 20

    /// Bytes in use while running: weights, one forward and the cache.
    public var runPeakBytes: Int { weightBytes + forwardBytes + cacheBytes + Self.runtimeBytes }
    /// The larger of the loading peak and the running peak.
    public var peakBytes: Int { max(loadPeakBytes + Self.runtimeBytes, runPeakBytes) }

    /// The plan for the Hugging Face or TransformerLens folder `folder`: reads `config.json` and the checkpoint's
    /// headers (memory-mapped; no weight is read) and checks every tensor's name, shape and dtype against the
    /// config, throwing `CheckpointError` naming the tensor and the numbers.
    public init(folder: URL, processing: WeightProcessing = .default, precision: WeightPrecision = .automatic,
                batch: Int = 1, context: Int, cache: CacheSelection = .none) throws {
        let (config, raw) = try HookedTransformer.unprocessedWeights(folder)
        self.init(folder: folder.path, config: config, weights: raw, processing: processing, precision: precision, batch: batch, context: context, cache: cache)
    }

    /// The plan for `stateDict` (as loaded, before processing) of a model `config` describes.
    init(folder: String, config: ModelConfig, weights stateDict: StateDict, processing: WeightProcessing,
         precision: WeightPrecision, batch: Int, context: Int, cache: CacheSelection) {
        let weights = stateDict.names.compactMap { stateDict[$0] }
        self.folder = folder
        self.precision = precision.resolved(for: processing)
        processed = processing != .none
        (self.batch, self.context, self.cache) = (max(batch, 0), max(context, 0), cache)
        var seen = Set<SpanKey>(), parameters = 0, stored = 0, unshared = 0, unsharedStored = 0
        for t in weights where !t.dtype.isInteger {
            unshared += t.count
            unsharedStored += t.count * t.dtype.byteCount
            guard seen.insert(SpanKey(t)).inserted else { continue }
            parameters += t.count
            stored += t.count * t.dtype.byteCount
        }
        self.parameters = parameters
        storedBytes = stored
        let float32 = self.precision == .float32
        switch (processed, float32) {
        case (false, false):
            weightBytes = stored
            loadPeakBytes = stored
        case (false, true):
            weightBytes = 4 * parameters
            loadPeakBytes = weightBytes + (stored == 4 * parameters ? 0 : weights.map { $0.count * $0.dtype.byteCount }.max() ?? 0)
        case (true, false):
            weightBytes = unsharedStored
            loadPeakBytes = unsharedStored + Self.largestGroup(stateDict, layersOnly: false) {
                $0.count * (4 + $0.dtype.byteCount)
            }
        case (true, true):
            weightBytes = 4 * unshared
            loadPeakBytes = 4 * unshared + Self.largestGroup(stateDict, layersOnly: true) { 4 * $0.count }
                + (weights.filter { $0.dtype != .float32 }.map { $0.count * $0.dtype.byteCount }.max() ?? 0)
        }
        let activations = ActivationSizes(config: config, context: self.context)
        let sixteenBit = weights.contains { $0.dtype == .float16 || $0.dtype == .bfloat16 } && !float32
        forwardBytes = 4 * self.batch * activations.forwardElements(scratch: sixteenBit)
        cacheBytes = 4 * self.batch * activations.cacheElements(cache)
    }

    /// The largest `bytes` summed over a group processing holds at once (`WeightProcessing` works one layer at a
    /// time, then on the tensors outside the layers): the largest layer, or with `layersOnly == false` also the
    /// tensors outside the layers.
    private static func largestGroup(_ weights: StateDict, layersOnly: Bool, bytes: (Tensor) -> Int) -> Int {
        var groups: [String: Int] = [:]
        for name in weights.names {
            guard let t = weights[name], !t.dtype.isInteger else { continue }
            let parts = name.split(separator: ".")
            let layer = parts.first == "blocks" && parts.count > 1 ? String(parts[1]) : nil
            if layersOnly && layer == nil { continue }
            groups[layer ?? "", default: 0] += bytes(t)
        }
        return groups.values.max() ?? 0
    }

    /// Throws `MemoryPlanError.doesNotFit` (needed vs available, with what would fit) when `peakBytes` exceeds
    /// the budget.
    public func check(budget: MemoryBudget = .current) throws {
        guard peakBytes > budget.availableBytes else { return }
        throw MemoryPlanError.doesNotFit(what: summary, needed: peakBytes, available: budget.availableBytes,
                                         suggestions: suggestions(budget))
    }

    /// Throws `MemoryPlanError.doesNotFit` when loading alone (`loadPeakBytes` and the weights) exceeds the budget.
    public func checkLoading(budget: MemoryBudget = .current) throws {
        let needed = loadPeakBytes + Self.runtimeBytes
        guard needed > budget.availableBytes else { return }
        throw MemoryPlanError.doesNotFit(what: "loading \(folder) (\(precision) weights\(processed ? ", processed" : ""))",
                                         needed: needed, available: budget.availableBytes, suggestions: suggestions(budget))
    }

    private var summary: String {
        "\(folder) with \(precision) weights\(processed ? ", processed" : ""), batch \(batch) × context \(context)"
            + (cache == .none ? "" : " and a cache")
    }

    /// Cheaper variants of this plan that fit `budget`, as advice.
    func suggestions(_ budget: MemoryBudget) -> [String] {
        let available = budget.availableBytes
        var advice: [String] = []
        func variant(_ text: String, _ bytes: Int) {
            advice.append("\(text): \(MemoryBudget.format(bytes))\(bytes <= available ? " (fits)" : "")")
        }
        let runExtra = forwardBytes + cacheBytes + Self.runtimeBytes
        if precision == .float32, storedBytes < weightBytes {
            variant("weights in their stored type (--weights stored)",
                    max(storedBytes + runExtra, (processed ? storedBytes + 4 * parameters : storedBytes) + Self.runtimeBytes))
        }
        if processed { variant("no weight processing (--no-processing, stored weights)", storedBytes + runExtra) }
        if cacheBytes > 0 { variant("no cache, or fewer hooks", weightBytes + forwardBytes + Self.runtimeBytes) }
        let perContext = context > 0 ? Double(forwardBytes + cacheBytes) / Double(context) : 0
        if perContext > 0, weightBytes + Self.runtimeBytes < available {
            let room = Double(available - weightBytes - Self.runtimeBytes)
            let fitting = min(context - 1, Int(room / perContext))
            if fitting >= 1 { advice.append("a context of about \(fitting) tokens fits at batch \(batch)") }
        }
        return advice
    }

    /// The plan as a table of byte counts.
    public var description: String {
        let rows: [(String, Int)] = [
            ("weights on disk (\(parameters) parameters)", storedBytes),
            ("weights in memory (\(precision)\(processed ? ", processed" : ""))", weightBytes),
            ("loading peak", loadPeakBytes),
            ("forward at batch \(batch) × context \(context)", forwardBytes),
            ("cache (\(cacheLabel))", cacheBytes),
            ("runtime allowance", Self.runtimeBytes),
            ("peak", peakBytes),
        ]
        return rows.map { "\($0.0.padding(toLength: 52, withPad: " ", startingAt: 0)) \(MemoryBudget.format($0.1))" }
            .joined(separator: "\n")
    }

    private var cacheLabel: String {
        switch cache {
        case .none: return "none"
        case .all: return "every hook"
        case .hooks(let names): return names.joined(separator: ", ")
        }
    }
}

/// A dense span of elements in one storage: two views of it hold the same memory.
private struct SpanKey: Hashable {
    let storage: ObjectIdentifier, offset: Int, count: Int, dense: Bool, shape: [Int]

    init(_ t: Tensor) {
        storage = ObjectIdentifier(t.storage)
        (offset, count, dense) = (t.offset, t.count, t.isDense)
        shape = dense ? [] : t.shape
    }
}

/// A model that would not fit in memory.
public enum MemoryPlanError: Error, Equatable, CustomStringConvertible {
    /// `what` needs `needed` bytes and `available` are left; `suggestions` list cheaper variants.
    case doesNotFit(what: String, needed: Int, available: Int, suggestions: [String])

    /// The message: needed vs available, then the suggestions.
    public var description: String {
        switch self {
        case let .doesNotFit(what, needed, available, suggestions):
            let head = "\(what) needs \(MemoryBudget.format(needed)) but \(MemoryBudget.format(available)) is available"
            return suggestions.isEmpty ? head : head + "; instead: " + suggestions.joined(separator: "; ")
        }
    }
}
