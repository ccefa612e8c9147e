/// One unit's headline statistics, as the dashboard index lists them.
public struct UnitSummary: Sendable, Equatable, Codable {
    /// Index of the unit set in the scan.
    public var set: Int
    /// Index of the unit in its set.
    public var unit: Int
    /// Label, e.g. `F17`.
    public var label: String
    /// Tokens seen.
    public var tokens: Int
    /// Tokens where the unit fired (activation above the threshold).
    public var firing: Int
    /// Mean activation over all tokens.
    public var mean: Double
    /// Mean activation over the firing tokens (0 when it never fired).
    public var meanActive: Double
    /// Largest activation (nil before any token).
    public var max: Float?

    /// Share of tokens where the unit fired.
    public var frequency: Double { tokens == 0 ? 0 : Double(firing) / Double(tokens) }

    /// A summary.
    public init(set: Int, unit: Int, label: String, tokens: Int, firing: Int, mean: Double, meanActive: Double, max: Float?) {
        (self.set, self.unit, self.label, self.tokens, self.firing) = (set, unit, label, tokens, firing)
        (self.mean, self.meanActive, self.max) = (mean, meanActive, max)
    }
}

/// Everything a dashboard card shows for one unit.
public struct UnitCard: Sendable {
    /// One activation band with its share of the firing tokens and its sampled examples.
    public struct Band: Sendable {
        /// Lower and upper |activation| edge.
        public var lower: Float, upper: Float
        /// Tokens whose activation lies in the band (positive side).
        public var count: Int
        /// Sampled examples, largest activation first.
        public var examples: [ActivationExample]
    }

    /// The headline statistics.
    public var summary: UnitSummary
    /// The unit set's name and kind.
    public var setName: String, kind: String
    /// The histogram bins and counts (`bins.count` of them).
    public var bins: HistogramBins
    public var histogram: [Int64]
    /// Top contexts, best first.
    public var top: [ActivationExample]
    /// Bands from the highest down, only those with tokens.
    public var bands: [Band]
    /// Logit effects, when the unit has an output direction.
    public var logitEffects: LogitEffects?

    /// A card from stored pieces: band counts come from the histogram, band examples from `samples`.
    public init(summary: UnitSummary, setName: String, kind: String, bins: HistogramBins, histogram: [Int64],
                top: [ActivationExample], samples: [BandSample], logitEffects: LogitEffects?) {
        (self.summary, self.setName, self.kind, self.bins, self.histogram) = (summary, setName, kind, bins, histogram)
        (self.top, self.logitEffects) = (top, logitEffects)
        var counts = [Int](repeating: 0, count: bins.bands)
        for p in 0..<bins.side { counts[bins.band(ofSidePosition: p)] += Int(histogram[bins.side + p]) }
        bands = (0..<bins.bands).reversed().compactMap { b in
            let examples = samples.filter { $0.band == b }.map(\.example).sorted { $0.ranksBefore($1) }
            guard counts[b] > 0 || !examples.isEmpty else { return nil }
            let (lower, upper) = bins.bandEdges(b)
            return Band(lower: lower, upper: upper, count: counts[b], examples: examples)
        }
    }
}

extension UnitStatistics {
    /// The summary of unit `unit` of set `set`, labelled `label`.
    public func summary(set: Int, unit: Int, label: String) -> UnitSummary {
        let firing = Int(self.firing[unit])
        return UnitSummary(set: set, unit: unit, label: label, tokens: tokens, firing: firing,
                           mean: tokens == 0 ? 0 : total(unit) / Double(tokens),
                           meanActive: firing == 0 ? 0 : totalActive(unit) / Double(firing), max: max(unit))
    }

    /// Histogram counts of one unit.
    public func histogram(of unit: Int) -> [Int64] {
        let n = options.bins.count
        return Array(histogram[(unit * n)..<((unit + 1) * n)])
    }
}

extension ScanResult {
    /// Summaries of every unit of set `set`.
    public func summaries(set: Int) -> [UnitSummary] {
        let stats = statistics[set], labels = description.labels[set]
        return (0..<stats.count).map { stats.summary(set: set, unit: $0, label: labels[$0]) }
    }

    /// The dashboard card of one unit.
    public func card(set: Int, unit: Int) -> UnitCard {
        let stats = statistics[set], info = header.unitSets[set]
        return UnitCard(summary: stats.summary(set: set, unit: unit, label: description.labels[set][unit]),
                        setName: info.name, kind: info.kind, bins: stats.options.bins, histogram: stats.histogram(of: unit),
                        top: stats.top[unit], samples: stats.samples[unit], logitEffects: description.logitEffects[set]?[unit])
    }
}
