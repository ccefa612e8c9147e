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
        let contexts = tokens.count, positions = tokens.first?.count ?? 0
        guard activations.shape == [contexts * positions, count] else {
            throw ScanError.unitMismatch(name, reason: "activations \(activations.shape), expected [\(contexts * positions), \(count)]")
        }
        var failures = [String?](repeating: nil, count: Parallel.workers)
        let chunkSize = (count + Parallel.workers - 1) / Parallel.workers
        let options = options, salt = salt, count = count
        activations.withContiguousFloats { values in
            firing.withUnsafeMutableBufferPointer { firing in
            sum.withUnsafeMutableBufferPointer { sum in
            sumActive.withUnsafeMutableBufferPointer { sumActive in
            histogram.withUnsafeMutableBufferPointer { histogram in
            top.withUnsafeMutableBufferPointer { top in
            samples.withUnsafeMutableBufferPointer { samples in
            statsChanged.withUnsafeMutableBufferPointer { statsChanged in
            examplesChanged.withUnsafeMutableBufferPointer { examplesChanged in
            failures.withUnsafeMutableBufferPointer { failures in
                let state = BatchUpdate(values: values, tokens: tokens, firstContext: firstContext, units: count,
                                        options: options, salt: salt, firing: firing.baseAddress!, sum: sum.baseAddress!,
                                        sumActive: sumActive.baseAddress!, histogram: histogram.baseAddress!,
                                        top: top.baseAddress!, samples: samples.baseAddress!,
                                        statsChanged: statsChanged.baseAddress!, examplesChanged: examplesChanged.baseAddress!)
                Parallel.forChunks(count, costPerElement: contexts * positions) { u0, u1 in
                    if let failure = state.run(units: u0..<u1) { failures[u0 / Swift.max(1, chunkSize)] = failure }
                }
            } } } } } } } } }
        }
        if let failure = failures.compactMap({ $0 }).first { throw ScanError.badActivation(name, reason: failure) }
        self.tokens += contexts * positions
    }
}

/// The pointers one batch update works on; `run` updates a range of units (disjoint between threads).
private struct BatchUpdate {
    let values: UnsafePointer<Float>
    let tokens: [[Int32]]
    let firstContext: Int
    let units: Int
    let options: ScanOptions
    let salt: UInt64
    let firing: UnsafeMutablePointer<Int64>
    let sum: UnsafeMutablePointer<Int128>
    let sumActive: UnsafeMutablePointer<Int128>
    let histogram: UnsafeMutablePointer<Int64>
    let top: UnsafeMutablePointer<[ActivationExample]>
    let samples: UnsafeMutablePointer<[BandSample]>
    let statsChanged: UnsafeMutablePointer<Bool>
    let examplesChanged: UnsafeMutablePointer<Bool>

    /// A candidate band sample found in the inner loop.
    private struct Candidate { let unit: Int, band: Int, position: Int, value: Float, priority: UInt64 }

    /// Updates units `range` with every context of the batch; returns a failure message, or nil.
    func run(units range: Range<Int>) -> String? {
        let positions = tokens.first?.count ?? 0, width = range.count, u0 = range.lowerBound
        let bins = options.bins, side = bins.side, binCount = bins.count, bands = bins.bands
        let (minExponent, maxExponent, perOctave) = (bins.minExponent, bins.maxExponent, bins.binsPerOctave)
        let threshold = options.threshold, sampling = options.samplesPerBand > 0
        // A zero changes nothing but the context maximum when it cannot fire.
        let quietZero = threshold >= 0
        let seed = options.seed ^ salt
        let scratch = Scratch(width: width, bands: bands)
        defer { scratch.free() }
        let (partial, partialActive, contextMax, contextArg, touched, gates) =
            (scratch.partial, scratch.partialActive, scratch.contextMax, scratch.contextArg, scratch.touched, scratch.gates)
        for u in range { refreshGates(unit: u, gates: gates + (u - u0) * bands) }
        var candidates: [Candidate] = []
        return bins.mantissaEdges.withUnsafeBufferPointer { edgePointer -> String? in
            let edges = edgePointer.baseAddress!
            for c in 0..<tokens.count {
                for k in 0..<width { contextMax[k] = -.infinity; contextArg[k] = 0 }
                for p in 0..<positions {
                    let row = values + (c * positions + p) * units
                    let token = (firstContext + c) * positions + p
                    for u in range {
                        let x = row[u], k = u - u0
                        if x == 0, quietZero {
                            if 0 > contextMax[k] { contextMax[k] = 0; contextArg[k] = p }
                            continue
                        }
                        guard x.magnitude < UnitStatistics.activationLimit else {
                            return "unit \(u): activation \(x) at context \(firstContext + c), position \(p) is not finite "
                                + "or beyond ±2^20"
                        }
                        let fixed = Int64((Double(x) * UnitStatistics.sumScale).rounded(.toNearestOrEven))
                        partial[k] &+= fixed
                        if x > contextMax[k] { contextMax[k] = x; contextArg[k] = p }
                        if x > threshold { firing[u] += 1; partialActive[k] &+= fixed }
                        guard x != 0 else { continue }
                        touched[k] = true
                        let sp = HistogramBins.sidePosition(bits: x.magnitude.bitPattern, minExponent: minExponent,
                                                            maxExponent: maxExponent, binsPerOctave: perOctave, edges: edges)
                        histogram[u * binCount + (x > 0 ? side + sp : side - 1 - sp)] += 1
                        guard sampling, x > 0, x > threshold else { continue }
                        let band = bins.band(ofSidePosition: sp)
                        let priority = UnitStatistics.priority(seed: seed, unit: u, token: token)
                        if priority < gates[k * bands + band] {
                            candidates.append(Candidate(unit: u, band: band, position: p, value: x, priority: priority))
                        }
                    }
                    if (p + 1) % 2048 == 0 { flush(range, partial, partialActive) }
                }
                flush(range, partial, partialActive)
                for u in range where touched[u - u0] { statsChanged[u] = true; touched[u - u0] = false }
                for u in range {
                    let k = u - u0
                    let list = top[u]
                    guard list.count < options.topK || contextMax[k] > list[list.count - 1].value else { continue }
                    insertTop(unit: u, context: c, position: contextArg[k], value: contextMax[k])
                }
                for candidate in candidates where candidate.priority < gates[(candidate.unit - u0) * bands + candidate.band] {
                    insertSample(candidate, context: c)
                    refreshGates(unit: candidate.unit, gates: gates + (candidate.unit - u0) * bands)
                }
                candidates.removeAll(keepingCapacity: true)
            }
            return nil
        }
    }

    /// Per-thread working memory of `run`, one slot per unit of its range.
    private struct Scratch {
        let partial: UnsafeMutablePointer<Int64>, partialActive: UnsafeMutablePointer<Int64>
        let contextMax: UnsafeMutablePointer<Float>, contextArg: UnsafeMutablePointer<Int>
        let touched: UnsafeMutablePointer<Bool>, gates: UnsafeMutablePointer<UInt64>

        init(width: Int, bands: Int) {
            partial = .allocate(capacity: width)
            partial.initialize(repeating: 0, count: width)
            partialActive = .allocate(capacity: width)
            partialActive.initialize(repeating: 0, count: width)
            contextMax = .allocate(capacity: width)
            contextMax.initialize(repeating: 0, count: width)
            contextArg = .allocate(capacity: width)
            contextArg.initialize(repeating: 0, count: width)
            touched = .allocate(capacity: width)
            touched.initialize(repeating: false, count: width)
            gates = .allocate(capacity: width * bands)
            gates.initialize(repeating: .max, count: width * bands)
        }

        func free() {
            partial.deallocate()
            partialActive.deallocate()
            contextMax.deallocate()
            contextArg.deallocate()
            touched.deallocate()
            gates.deallocate()
        }
    }

    /// Adds the partial 64-bit sums into the 128-bit totals.
    private func flush(_ range: Range<Int>, _ partial: UnsafeMutablePointer<Int64>, _ partialActive: UnsafeMutablePointer<Int64>) {
        for u in range {
            let k = u - range.lowerBound
            sum[u] += Int128(partial[k])
            sumActive[u] += Int128(partialActive[k])
            partial[k] = 0
            partialActive[k] = 0
        }
    }

    /// The window of context `c` (batch-relative) around `position`, with unit `u`'s activations.
    private func example(unit u: Int, context c: Int, position: Int, value: Float) -> ActivationExample {
        let positions = tokens[c].count
        let start = Swift.max(0, position - options.windowBefore), end = Swift.min(positions, position + options.windowAfter + 1)
        let acts = (start..<end).map { values[(c * positions + $0) * units + u] }
        return ActivationExample(value: value, context: firstContext + c, position: position, windowStart: start,
                                 tokens: tokens[c][start..<end].map(Int.init), activations: acts)
    }

    /// Puts context `c` into unit `u`'s top list after every entry of equal or larger value.
    private func insertTop(unit u: Int, context c: Int, position: Int, value: Float) {
        let entry = example(unit: u, context: c, position: position, value: value)
        let index = top[u].firstIndex { $0.value < value } ?? top[u].count
        top[u].insert(entry, at: index)
        if top[u].count > options.topK { top[u].removeLast() }
        examplesChanged[u] = true
    }

    /// Keeps a candidate sample, dropping the band's highest priority when the band is over its size.
    private func insertSample(_ candidate: Candidate, context c: Int) {
        let u = candidate.unit
        let entry = example(unit: u, context: c, position: candidate.position, value: candidate.value)
        samples[u].append(BandSample(band: candidate.band, priority: candidate.priority, example: entry))
        let inBand = samples[u].indices.filter { samples[u][$0].band == candidate.band }
        if inBand.count > options.samplesPerBand, let worst = inBand.max(by: { samples[u][$0].priority < samples[u][$1].priority }) {
            samples[u].remove(at: worst)
        }
        examplesChanged[u] = true
    }

    /// Each band's admission gate for unit `u`: the largest kept priority when the band is full, else `.max`.
    private func refreshGates(unit u: Int, gates: UnsafeMutablePointer<UInt64>) {
        let bands = options.bins.bands, m = options.samplesPerBand
        var counts = [Int](repeating: 0, count: bands), worst = [UInt64](repeating: 0, count: bands)
        for sample in samples[u] {
            counts[sample.band] += 1
            worst[sample.band] = Swift.max(worst[sample.band], sample.priority)
        }
        for b in 0..<bands { gates[b] = counts[b] >= m ? worst[b] : .max }
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
