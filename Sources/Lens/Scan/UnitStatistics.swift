import Kernels

/// The statistics of one unit set, accumulated context by context, in a form that merges exactly: integer
/// counts, sums in 2^-32 fixed point (`Int128`, so addition is associative), fixed histogram bins, top lists ranked
/// by (value, context) and band samples chosen by a hash. Memory is `units × (bins + topK × window)` plus the
/// samples, whatever the corpus length.
public struct UnitStatistics: Sendable {
    /// Units in the set.
    public let count: Int
    /// The options (top-k, window, bins, threshold, sampling).
    public let options: ScanOptions
    /// Mixed into the sampling hash so that two unit sets sample independently.
    public let salt: UInt64
    /// Tokens seen (every unit sees every token).
    public internal(set) var tokens: Int = 0
    /// Tokens where the unit's activation is above the threshold.
    public internal(set) var firing: [Int64]
    /// Σ activation over all tokens, in units of 2^-32 (each activation rounded to that grid first).
    public internal(set) var sum: [Int128]
    /// Σ activation over the firing tokens, same units.
    public internal(set) var sumActive: [Int128]
    /// Histogram counts, `count × options.bins.count`, unit-major.
    public internal(set) var histogram: [Int64]
    /// Each unit's top contexts, best first (at most `topK`).
    public internal(set) var top: [[ActivationExample]]
    /// Each unit's band samples (at most `samplesPerBand` per band), in no particular order.
    public internal(set) var samples: [[BandSample]]
    /// Units whose counts, sums or histogram changed since `clearChanges()`.
    public internal(set) var statsChanged: [Bool]
    /// Units whose top list or samples changed since `clearChanges()`.
    public internal(set) var examplesChanged: [Bool]

    /// The scale of the fixed-point sums.
    public static let sumScale = 0x1p32
    /// Activations must stay below this in magnitude (sums of a context fit 64 bits before widening).
    public static let activationLimit: Float = 0x1p20

    /// Empty statistics for `count` units.
    public init(count: Int, options: ScanOptions, salt: UInt64) {
        self.count = count
        self.options = options
        self.salt = salt
        firing = Array(repeating: 0, count: count)
        sum = Array(repeating: 0, count: count)
        sumActive = Array(repeating: 0, count: count)
        histogram = Array(repeating: 0, count: count * options.bins.count)
        top = Array(repeating: [], count: count)
        samples = Array(repeating: [], count: count)
        statsChanged = Array(repeating: false, count: count)
        examplesChanged = Array(repeating: false, count: count)
    }

    /// Statistics rebuilt from stored parts (a database); throws `ScanError.invalidOption` when a size does not fit
    /// `count` and `options`. No unit is marked changed.
    public init(count: Int, options: ScanOptions, salt: UInt64, tokens: Int, firing: [Int64], sum: [Int128],
                sumActive: [Int128], histogram: [Int64], top: [[ActivationExample]], samples: [[BandSample]]) throws {
        guard firing.count == count, sum.count == count, sumActive.count == count, top.count == count, samples.count == count,
              histogram.count == count * options.bins.count else {
            throw ScanError.invalidOption("stored statistics do not fit \(count) units with \(options.bins.count) bins")
        }
        self.init(count: count, options: options, salt: salt)
        (self.tokens, self.firing, self.sum, self.sumActive) = (tokens, firing, sum, sumActive)
        (self.histogram, self.top, self.samples) = (histogram, top, samples)
    }

    /// The sampling salt of a unit set: a hash of its name.
    public static func salt(forSetNamed name: String) -> UInt64 {
        var hash = FNV1a()
        hash.add(Array(name.utf8))
        return hash.value
    }

    /// Forgets which units changed (after their state was saved).
    public mutating func clearChanges() {
        for u in 0..<count { statsChanged[u] = false; examplesChanged[u] = false }
    }

    /// The unit's largest activation (nil before any token).
    public func max(_ unit: Int) -> Float? { top[unit].first?.value }

    /// Σ activation of a unit over all tokens as a Double.
    public func total(_ unit: Int) -> Double { Double(sum[unit]) / Self.sumScale }

    /// Σ activation over the firing tokens as a Double.
    public func totalActive(_ unit: Int) -> Double { Double(sumActive[unit]) / Self.sumScale }

    /// Sampling priority of a token for a unit: a 64-bit hash of (salt, seed, unit, global token index).
    @inline(__always)
    static func priority(seed: UInt64, unit: Int, token: Int) -> UInt64 {
        var z = seed ^ (UInt64(truncatingIfNeeded: unit) &* 0x9E37_79B9_7F4A_7C15)
            ^ (UInt64(truncatingIfNeeded: token) &* 0xC2B2_AE3D_27D4_EB4F)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Adds a batch: `activations` `[contexts · positions, count]` for the contexts `tokens` (each `positions` long),
    /// the first of which has index `firstContext`. Units are split over the cores; each unit's update is sequential
    /// in context and position order, so the result does not depend on the split. Throws
    /// `ScanError.badActivation` (naming `name`, the unit, context and position) for a value that is not finite or
    /// beyond ±2^20.
    public mutating func add(_ activations: Tensor, tokens: [[Int32]], firstContext: Int, name: String) throws {
        try add(activations, units: 0..<count, tokens: tokens, firstContext: firstContext, name: name)
        countTokens(tokens)
    }

    /// Counts the tokens of a batch whose units were all added (with `add(_:units:tokens:firstContext:name:)`).
    mutating func countTokens(_ tokens: [[Int32]]) {
        self.tokens += tokens.count * (tokens.first?.count ?? 0)
    }

    /// Adds a batch's activations `[contexts · positions, units.count]` of units `units` only (a block of the set),
    /// without counting its tokens.
    mutating func add(_ activations: Tensor, units: Range<Int>, tokens: [[Int32]], firstContext: Int, name: String) throws {
        let rows = tokens.count * (tokens.first?.count ?? 0)
        guard activations.shape == [rows, units.count], units.clamped(to: 0..<count) == units else {
            throw ScanError.unitMismatch(name, reason: "activations \(activations.shape) of units \(units), expected "
                                         + "[\(rows), \(units.count)] within \(count) units")
        }
        var failure: String?
        let options = options, seed = options.seed ^ salt
        activations.withContiguousFloats { values in
            firing.withUnsafeMutableBufferPointer { firing in
            sum.withUnsafeMutableBufferPointer { sum in
            sumActive.withUnsafeMutableBufferPointer { sumActive in
            histogram.withUnsafeMutableBufferPointer { histogram in
            top.withUnsafeMutableBufferPointer { top in
            samples.withUnsafeMutableBufferPointer { samples in
            statsChanged.withUnsafeMutableBufferPointer { statsChanged in
            examplesChanged.withUnsafeMutableBufferPointer { examplesChanged in
                let update = BatchUpdate(values: values, rowStride: units.count, firstUnit: units.lowerBound, tokens: tokens,
                                         firstContext: firstContext, options: options, seed: seed,
                                         firing: firing.baseAddress!, sum: sum.baseAddress!, sumActive: sumActive.baseAddress!,
                                         histogram: histogram.baseAddress!, top: top.baseAddress!,
                                         samples: samples.baseAddress!, statsChanged: statsChanged.baseAddress!,
                                         examplesChanged: examplesChanged.baseAddress!)
                failure = Self.split(units, rows: rows) { range in update.run(units: range) }
            } } } } } } } }
        }
        if let failure { throw ScanError.badActivation(name, reason: failure) }
    }

    /// Runs `body` on ranges of `units` over the cores (eight-unit aligned, so vector groups stay whole) and returns
    /// the failure of the lowest range that failed.
    private static func split(_ units: Range<Int>, rows: Int, _ body: (Range<Int>) -> String?) -> String? {
        let groups = (units.count + 7) / 8
        let chunks = groups * 8 * rows >= Parallel.minimumParallelCount ? Swift.min(Parallel.workers, groups) : 1
        let perChunk = (groups + chunks - 1) / Swift.max(chunks, 1) * 8
        var failures = [String?](repeating: nil, count: chunks)
        failures.withUnsafeMutableBufferPointer { failures in
            let slots = failures.baseAddress!
            Parallel.forChunks(chunks, costPerElement: Parallel.minimumParallelCount) { c0, c1 in
                for c in c0..<c1 {
                    let lower = units.lowerBound + c * perChunk, upper = Swift.min(units.upperBound, lower + perChunk)
                    if lower < upper { slots[c] = body(lower..<upper) }
                }
            }
        }
        return failures.compactMap { $0 }.first
    }
}

extension UnitStatistics: Equatable {
    /// Equal statistics: same options, counts, sums, histograms, top lists and samples (change marks ignored).
    public static func == (a: UnitStatistics, b: UnitStatistics) -> Bool {
        a.count == b.count && a.options == b.options && a.salt == b.salt && a.tokens == b.tokens && a.firing == b.firing
            && a.sum == b.sum && a.sumActive == b.sumActive && a.histogram == b.histogram && a.top == b.top
            && a.samples.map { $0.sorted { $0.priority < $1.priority } } == b.samples.map { $0.sorted { $0.priority < $1.priority } }
    }
}
