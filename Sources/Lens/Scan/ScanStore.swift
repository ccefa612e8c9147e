/// What identifies a scan: the model, the corpus, how it is packed, what is recorded and for which units. A store
/// holding one scan refuses another (`ScanHeader.difference`), so results are never mixed.
public struct ScanHeader: Sendable, Equatable, Codable, ShardedHeader {
    /// One unit set.
    public struct UnitSet: Sendable, Equatable, Codable {
        /// `ScanUnits.name`.
        public var name: String
        /// `ScanUnits.kind`.
        public var kind: String
        /// `ScanUnits.hooks`.
        public var hooks: [String]
        /// `ScanUnits.count`.
        public var count: Int
        /// `ScanUnits.fingerprint`.
        public var fingerprint: String
    }

    /// The model folder's name (shown, not compared).
    public var modelName: String
    /// A hash of the model's configuration and weights.
    public var modelFingerprint: String
    /// A hash of the corpus files' names and bytes.
    public var corpusFingerprint: String
    /// The corpus format.
    public var corpusFormat: Corpus.Format
    /// The corpus files' names (shown, not compared: the fingerprint covers them).
    public var corpusFiles: [String]
    /// Packing.
    public var packing: PackingOptions
    /// What is recorded.
    public var options: ScanOptions
    /// The unit sets, in order.
    public var unitSets: [UnitSet]
    /// The part of the corpus this store holds (nil: all of it). Shards of one scan differ only here.
    public var shard: Shard? = nil

    /// The first field in which `other` differs from this header (the ones that make it another scan), as
    /// `(field, this value, other value)`; nil when both describe the same scan.
    public func difference(from other: ScanHeader) -> (field: String, stored: String, requested: String)? {
        func text<T: Encodable>(_ value: T) -> String { String(describing: value) }
        if modelFingerprint != other.modelFingerprint {
            return ("model", "\(modelName) (\(modelFingerprint))", "\(other.modelName) (\(other.modelFingerprint))")
        }
        if corpusFingerprint != other.corpusFingerprint || corpusFormat != other.corpusFormat {
            return ("corpus", "\(corpusFiles.joined(separator: ", ")) as \(corpusFormat.rawValue) (\(corpusFingerprint))",
                    "\(other.corpusFiles.joined(separator: ", ")) as \(other.corpusFormat.rawValue) (\(other.corpusFingerprint))")
        }
        if packing != other.packing { return ("packing", text(packing), text(other.packing)) }
        if options != other.options { return ("options", text(options), text(other.options)) }
        if unitSets != other.unitSets {
            return ("units", unitSets.map { "\($0.name) ×\($0.count) [\($0.fingerprint)]" }.joined(separator: "; "),
                    other.unitSets.map { "\($0.name) ×\($0.count) [\($0.fingerprint)]" }.joined(separator: "; "))
        }
        if shard != other.shard {
            return ("shard", shard.map { "shard \($0)" } ?? "the whole corpus", other.shard.map { "shard \($0)" } ?? "the whole corpus")
        }
        return nil
    }
}

/// What describes the units of a scan besides their statistics: labels, logit effects and the vocabulary to
/// show tokens with. Written once, when a store is created.
public struct ScanDescription: Sendable {
    /// Labels per unit set.
    public var labels: [[String]]
    /// Logit effects per unit set (nil for sets without output directions).
    public var logitEffects: [[LogitEffects]?]
    /// The text of every token id (`TokenDisplay.label` applies on display).
    public var vocabulary: [String]

    /// A description.
    public init(labels: [[String]], logitEffects: [[LogitEffects]?], vocabulary: [String]) {
        (self.labels, self.logitEffects, self.vocabulary) = (labels, logitEffects, vocabulary)
    }
}

/// A scan's state after a whole number of batches: everything needed to continue it exactly.
public struct ScanCheckpoint: Sendable {
    /// Batches done (the next batch to run).
    public var nextBatch: Int
    /// Contexts scanned.
    public var contexts: Int
    /// Statistics per unit set.
    public var statistics: [UnitStatistics]
    /// The corpus report, once the whole corpus has been read.
    public var report: CorpusReport?

    /// Whether the scan covered the whole corpus.
    public var finished: Bool { report != nil }

    /// A checkpoint.
    public init(nextBatch: Int, contexts: Int, statistics: [UnitStatistics], report: CorpusReport?) {
        (self.nextBatch, self.contexts, self.statistics, self.report) = (nextBatch, contexts, statistics, report)
    }
}

/// Where a scan keeps its state so that it can stop at any moment and resume (the SQLite `ScanDatabase` of the
/// LensStore module). Each `save` is atomic: after a crash the store holds the last saved checkpoint entire.
public protocol ScanStore: AnyObject {
    /// Opens the scan: a new store records `header` and `describe()`'s result and returns nil; a store holding the
    /// same scan returns its last checkpoint and description; a store holding another scan throws, naming the
    /// field that differs.
    func begin(_ header: ScanHeader, describe: () throws -> ScanDescription) throws -> (ScanCheckpoint, ScanDescription)?
    /// Saves a checkpoint: the units `statsChanged` / `examplesChanged` mark, and the progress, in one transaction.
    func save(_ checkpoint: ScanCheckpoint) throws
}
