/// The statistics loop: one batch's activations added to a range of units (ranges are disjoint between threads).
///
/// Per context, per position, units are read eight at a time along the activation row: the context maximum
/// (first position of the largest value) is a vector compare, and a group whose eight values are zero (most of
/// an SAE's) costs nothing more when zeros cannot fire. Each non-zero value then adds its fixed-point value to
/// the unit's sums, its count to the firing total and the histogram, and, when it fires, competes for a band
/// sample through its hash priority. At the end of a context the maximum enters the top list only when it beats
/// the list's last entry. Every unit is updated in context and position order, so the result does not depend on
/// how units are split over threads or blocks.
struct BatchUpdate {
    /// Activation of row `r` and column `j` (unit `firstUnit + j`) is `values[r * rowStride + j]`.
    let values: UnsafePointer<Float>
    let rowStride: Int
    let firstUnit: Int
    let tokens: [[Int32]]
    let firstContext: Int
    let options: ScanOptions
    /// `options.seed ^ salt`.
    let seed: UInt64
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

    /// Lanes read at once along an activation row.
    private typealias Lanes = SIMD8<Float>

    /// Updates units `range` with every context of the batch; returns a failure message, or nil.
    func run(units range: Range<Int>) -> String? {
        let positions = tokens.first?.count ?? 0, width = range.count, u0 = range.lowerBound
        let bands = options.bins.bands
        // Zeros change nothing but the context maximum when they cannot fire.
        let quietZero = options.threshold >= 0
        let scratch = Scratch(width: width, bands: bands)
        defer { scratch.free() }
        for u in range { refreshGates(unit: u, gates: scratch.gates + (u - u0) * bands) }
        var candidates: [Candidate] = []
        let edges = options.bins.mantissaEdges
        return edges.withUnsafeBufferPointer { edges -> String? in
            for c in 0..<tokens.count {
                scratch.contextMax.update(repeating: -.infinity, count: width)
                scratch.contextArg.update(repeating: 0, count: width)
                for p in 0..<positions {
                    let row = values + (c * positions + p) * rowStride + (u0 - firstUnit)
                    let token = (firstContext + c) * positions + p
                    var k = 0
                    if quietZero {
                        while k + Lanes.scalarCount <= width {
                            let x = UnsafeRawPointer(row + k).loadUnaligned(as: Lanes.self)
                            let maxPointer = UnsafeMutableRawPointer(scratch.contextMax + k)
                            var best = maxPointer.loadUnaligned(as: Lanes.self)
                            let greater = x .> best
                            if any(greater) {
                                best.replace(with: x, where: greater)
                                maxPointer.storeBytes(of: best, as: Lanes.self)
                                let argPointer = UnsafeMutableRawPointer(scratch.contextArg + k)
                                var arg = argPointer.loadUnaligned(as: SIMD8<Int32>.self)
                                arg.replace(with: Int32(p), where: greater)
                                argPointer.storeBytes(of: arg, as: SIMD8<Int32>.self)
                            }
                            let nonzero = x .!= 0
                            if any(nonzero) {
                                for j in 0..<Lanes.scalarCount where nonzero[j] {
                                    if !add(x[j], unit: u0 + k + j, slot: k + j, position: p, token: token, scratch: scratch,
                                            edges: edges.baseAddress!, candidates: &candidates) {
                                        return failure(x[j], unit: u0 + k + j, context: c, position: p)
                                    }
                                }
                            }
                            k += Lanes.scalarCount
                        }
                    }
                    while k < width {
                        let x = row[k]
                        if x > scratch.contextMax[k] { scratch.contextMax[k] = x; scratch.contextArg[k] = Int32(p) }
                        if x != 0 || !quietZero,
                           !add(x, unit: u0 + k, slot: k, position: p, token: token, scratch: scratch,
                                edges: edges.baseAddress!, candidates: &candidates) {
                            return failure(x, unit: u0 + k, context: c, position: p)
                        }
                        k += 1
                    }
                    if (p + 1) % 2048 == 0 { flush(range, scratch) }
                }
                flush(range, scratch)
                finishContext(c, range: range, scratch: scratch, candidates: &candidates)
            }
            return nil
        }
    }

    /// Adds one value of unit `unit` (working slot `slot`) at position `position` (global token `token`), all but
    /// the context maximum; false when the value is not finite or beyond ±2^20.
    @inline(__always)
    private func add(_ x: Float, unit u: Int, slot k: Int, position p: Int, token: Int, scratch: Scratch,
                     edges: UnsafePointer<UInt32>, candidates: inout [Candidate]) -> Bool {
        guard x.magnitude < UnitStatistics.activationLimit else { return false }
        let fixed = FixedPoint.value(x)
        scratch.partial[k] &+= fixed
        let fires = x > options.threshold
        if fires {
            firing[u] += 1
            scratch.partialActive[k] &+= fixed
            scratch.touched[k] = true
        }
        guard x != 0 else { return true }
        scratch.touched[k] = true
        let bins = options.bins
        let sp = HistogramBins.sidePosition(bits: x.magnitude.bitPattern, minExponent: bins.minExponent,
                                            maxExponent: bins.maxExponent, binsPerOctave: bins.binsPerOctave, edges: edges)
        histogram[u * bins.count + (x > 0 ? bins.side + sp : bins.side - 1 - sp)] += 1
        guard fires, x > 0, options.samplesPerBand > 0 else { return true }
        let band = bins.band(ofSidePosition: sp)
        let priority = UnitStatistics.priority(seed: seed, unit: u, token: token)
        if priority < scratch.gates[k * bins.bands + band] {
            candidates.append(Candidate(unit: u, band: band, position: p, value: x, priority: priority))
        }
        return true
    }

    /// The message of a value that is not finite or out of range.
    private func failure(_ x: Float, unit u: Int, context c: Int, position p: Int) -> String {
        "unit \(u): activation \(x) at context \(firstContext + c), position \(p) is not finite or beyond ±2^20"
    }

    /// After context `c`: marks changed units, offers each unit's context maximum to its top list and keeps the
    /// band samples that still pass their gates.
    private func finishContext(_ c: Int, range: Range<Int>, scratch: Scratch, candidates: inout [Candidate]) {
        let u0 = range.lowerBound, bands = options.bins.bands
        for u in range where scratch.touched[u - u0] {
            statsChanged[u] = true
            scratch.touched[u - u0] = false
        }
        for u in range {
            let k = u - u0, value = scratch.contextMax[k]
            let list = top[u]
            guard list.count < options.topK || value > list[list.count - 1].value else { continue }
            insertTop(unit: u, context: c, position: Int(scratch.contextArg[k]), value: value)
        }
        for candidate in candidates where candidate.priority < scratch.gates[(candidate.unit - u0) * bands + candidate.band] {
            insertSample(candidate, context: c)
            refreshGates(unit: candidate.unit, gates: scratch.gates + (candidate.unit - u0) * bands)
        }
        candidates.removeAll(keepingCapacity: true)
    }

    /// Per-thread working memory of `run`, one slot per unit of its range.
    private struct Scratch {
        let partial: UnsafeMutablePointer<Int64>, partialActive: UnsafeMutablePointer<Int64>
        let contextMax: UnsafeMutablePointer<Float>, contextArg: UnsafeMutablePointer<Int32>
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
    private func flush(_ range: Range<Int>, _ scratch: Scratch) {
        for u in range {
            let k = u - range.lowerBound
            sum[u] += Int128(scratch.partial[k])
            sumActive[u] += Int128(scratch.partialActive[k])
            scratch.partial[k] = 0
            scratch.partialActive[k] = 0
        }
    }

    /// The window of context `c` (batch-relative) around `position`, with unit `u`'s activations.
    private func example(unit u: Int, context c: Int, position: Int, value: Float) -> ActivationExample {
        let positions = tokens[c].count
        let start = Swift.max(0, position - options.windowBefore), end = Swift.min(positions, position + options.windowAfter + 1)
        let column = values + (u - firstUnit) + c * positions * rowStride
        let acts = [Float](unsafeUninitializedCapacity: end - start) { out, initialized in
            for p in start..<end { out[p - start] = column[p * rowStride] }
            initialized = end - start
        }
        let ids = tokens[c].withUnsafeBufferPointer { context in
            [Int](unsafeUninitializedCapacity: end - start) { out, initialized in
                for p in start..<end { out[p - start] = Int(context[p]) }
                initialized = end - start
            }
        }
        return ActivationExample(value: value, context: firstContext + c, position: position, windowStart: start,
                                 tokens: ids, activations: acts)
    }

    /// Puts context `c` into unit `u`'s top list after every entry of equal or larger value.
    private func insertTop(unit u: Int, context c: Int, position: Int, value: Float) {
        let entry = example(unit: u, context: c, position: position, value: value)
        let index = top[u].firstIndex { $0.value < value } ?? top[u].count
        top[u].insert(entry, at: index)
        if top[u].count > options.topK { top[u].removeLast() }
        examplesChanged[u] = true
    }

    /// Keeps a candidate sample, dropping the band's highest priority (the first, on a tie) when the band is over
    /// its size.
    private func insertSample(_ candidate: Candidate, context c: Int) {
        let u = candidate.unit
        let entry = example(unit: u, context: c, position: candidate.position, value: candidate.value)
        samples[u].append(BandSample(band: candidate.band, priority: candidate.priority, example: entry))
        // Read through a buffer so that no sample (and its arrays) is copied.
        let (inBand, worst) = samples[u].withUnsafeBufferPointer { list -> (Int, Int) in
            var count = 0, worst = 0
            for i in list.indices where list[i].band == candidate.band {
                if count == 0 || list[i].priority > list[worst].priority { worst = i }
                count += 1
            }
            return (count, worst)
        }
        if inBand > options.samplesPerBand { samples[u].remove(at: worst) }
        examplesChanged[u] = true
    }

    /// Each band's admission gate for unit `u`: the largest kept priority when the band is full, else `.max`.
    private func refreshGates(unit u: Int, gates: UnsafeMutablePointer<UInt64>) {
        let bands = options.bins.bands, m = options.samplesPerBand
        withUnsafeTemporaryAllocation(of: Int.self, capacity: bands) { counts in
            counts.initialize(repeating: 0)
            gates.update(repeating: 0, count: bands)
            samples[u].withUnsafeBufferPointer { list in
                for i in list.indices {
                    let band = list[i].band
                    counts[band] += 1
                    gates[band] = Swift.max(gates[band], list[i].priority)
                }
            }
            for b in 0..<bands where counts[b] < m { gates[b] = .max }
        }
    }
}

/// Activations in 2^-32 fixed point: `round(x · 2^32)` to nearest, ties to even, computed from the bits of `x`.
enum FixedPoint {
    /// `Int64((Double(x) * 0x1p32).rounded(.toNearestOrEven))` for finite `|x| < 2^20`, without a rounding call:
    /// `x = m · 2^(e − 150)` (biased exponent `e`, 24-bit significand `m`), so `x · 2^32 = m · 2^(e − 118)`.
    @inline(__always)
    static func value(_ x: Float) -> Int64 {
        let bits = x.bitPattern
        let e = Int((bits >> 23) & 0xFF)
        // Zero and subnormals (below 2^-126) round to 0.
        guard e > 0 else { return 0 }
        let m = Int64((bits & 0x7F_FFFF) | 0x80_0000)
        let shift = e - 118
        let magnitude: Int64
        if shift >= 0 {
            magnitude = m &<< Int64(shift)
        } else if shift < -24 {
            magnitude = 0
        } else {
            let s = Int64(-shift), q = m &>> s, rest = m & ((1 &<< s) - 1), half = Int64(1) &<< (s - 1)
            magnitude = q + (rest > half || (rest == half && q & 1 == 1) ? 1 : 0)
        }
        return bits >> 31 == 0 ? magnitude : -magnitude
    }
}
