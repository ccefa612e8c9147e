/// One of `count` contiguous parts of a job (a corpus scan or a dataset sweep): shard `index` runs the
/// `index`-th range of `Shard.ranges(weights:count:)`, so shards merged in index order give the items in order.
///
/// ```swift
/// let shard = try Shard(parsing: "2/4")                  // the third of four
/// let batches = Shard.ranges(weights: tokensPerBatch, count: 4)[shard.index]
/// ```
public struct Shard: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// 0-based.
    public let index: Int
    /// Number of shards (at least 1).
    public let count: Int

    /// Shard `index` of `count`; throws `ShardError.invalid` unless `0 ≤ index < count`.
    public init(index: Int, count: Int) throws {
        guard count >= 1, (0..<count).contains(index) else {
            throw ShardError.invalid("\(index)/\(count): the index must lie in 0..<count and count be at least 1")
        }
        (self.index, self.count) = (index, count)
    }

    /// `"I/N"` (`"2/4"`), as `--shard` takes it.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw ShardError.invalid("\"\(text)\" is not INDEX/COUNT (e.g. 0/4)")
        }
        try self.init(index: index, count: count)
    }

    /// The shard of a Slurm array task, or nil outside one: index `SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN`
    /// (MIN is 0 when unset) of `SLURM_ARRAY_TASK_COUNT`. An array with gaps (`--array=1,5,9`, or a step) cannot
    /// number its shards and is refused, naming the variables.
    public static func slurm(environment: [String: String]) throws -> Shard? {
        guard let idText = environment["SLURM_ARRAY_TASK_ID"], let countText = environment["SLURM_ARRAY_TASK_COUNT"] else {
            return nil
        }
        let values = "SLURM_ARRAY_TASK_ID=\(idText), SLURM_ARRAY_TASK_COUNT=\(countText)"
            + (environment["SLURM_ARRAY_TASK_MIN"].map { ", SLURM_ARRAY_TASK_MIN=\($0)" } ?? "")
            + (environment["SLURM_ARRAY_TASK_MAX"].map { ", SLURM_ARRAY_TASK_MAX=\($0)" } ?? "")
        guard let id = Int(idText), let count = Int(countText), let min = Int(environment["SLURM_ARRAY_TASK_MIN"] ?? "0"),
              let max = Int(environment["SLURM_ARRAY_TASK_MAX"] ?? String(min + count - 1)) else {
            throw ShardError.invalid("unreadable Slurm array variables (\(values))")
        }
        guard max - min + 1 == count, (environment["SLURM_ARRAY_TASK_STEP"] ?? "1") == "1" else {
            throw ShardError.invalid("the Slurm array is not contiguous (\(values)); submit --array=0-\(count - 1)")
        }
        return try Shard(index: id - min, count: count)
    }

    /// `2/4`.
    public var description: String { "\(index)/\(count)" }

    /// Splits items `0..<weights.count` into `count` contiguous ranges of nearly equal total weight (tokens): range
    /// `k` starts at the first item whose preceding weights reach `k/count` of the total, so every range's weight
    /// differs from `total/count` by less than one item's weight. Deterministic; ranges may be empty (more shards
    /// than items); together they cover every item once, in order.
    public static func ranges(weights: [Int], count: Int) -> [Range<Int>] {
        ensure(count >= 1 && weights.allSatisfy { $0 >= 0 }, "Shard.ranges: count \(count) must be at least 1 and weights non-negative")
        let total = weights.reduce(0, +)
        var bounds = [0], prefix = 0, item = 0
        for k in 1..<count {
            // The first item boundary j with prefix(j) · count ≥ k · total (exact integer arithmetic).
            while item < weights.count, prefix * count < k * total {
                prefix += weights[item]
                item += 1
            }
            bounds.append(total == 0 ? weights.count * k / count : item)
        }
        bounds.append(weights.count)
        return (0..<count).map { bounds[$0]..<bounds[$0 + 1] }
    }

    /// This shard's range of `ranges(weights:count:)`.
    public func range(weights: [Int]) -> Range<Int> { Self.ranges(weights: weights, count: count)[index] }
}

/// The header of a job's results (`ScanHeader`, `SweepHeader`): which job, and which shard of it.
public protocol ShardedHeader {
    /// The shard (nil: the whole job).
    var shard: Shard? { get set }
    /// The first field that makes `other` another job (or shard), as `(field, this value, other value)`.
    func difference(from other: Self) -> (field: String, stored: String, requested: String)?
}

extension Shard {
    /// Checks that `headers` are the shards `0..<N` of one job, each exactly once, and returns the whole job's header
    /// (no shard) with the positions of `headers` in shard order. Throws `ShardError.mismatch` naming the `sources`
    /// for a whole job, shards of another job or of another count, a duplicate shard or a missing one.
    public static func order<Header: ShardedHeader>(_ headers: [Header], sources: [String]) throws -> (whole: Header, order: [Int]) {
        guard let first = headers.first else { throw ShardError.mismatch("no shards given") }
        var whole = first
        whole.shard = nil
        var byIndex: [Int: Int] = [:]
        for (k, header) in headers.enumerated() {
            guard let shard = header.shard, let count = first.shard?.count else {
                throw ShardError.mismatch("\(sources[header.shard == nil ? k : 0]) holds a whole job, not a shard")
            }
            var bare = header
            bare.shard = nil
            if let (field, a, b) = whole.difference(from: bare) {
                throw ShardError.mismatch("\(sources[k]) is a shard of another job than \(sources[0]) (its \(field) differs: "
                                          + "\(b) vs \(a))")
            }
            guard shard.count == count else {
                throw ShardError.mismatch("\(sources[k]) is shard \(shard) but \(sources[0]) is shard \(first.shard!): "
                                          + "their ranges overlap")
            }
            if let other = byIndex[shard.index] {
                throw ShardError.mismatch("\(sources[other]) and \(sources[k]) are both shard \(shard)")
            }
            byIndex[shard.index] = k
        }
        let count = first.shard!.count
        let missing = (0..<count).filter { byIndex[$0] == nil }
        guard missing.isEmpty else {
            throw ShardError.mismatch("shard\(missing.count > 1 ? "s" : "") \(missing.map { "\($0)/\(count)" }.joined(separator: ", ")) "
                                      + "missing (\(headers.count) of \(count) given)")
        }
        return (whole, (0..<count).map { byIndex[$0]! })
    }
}

/// A shard that cannot be run or merged; each case names the shard or file.
public enum ShardError: Error, Equatable, CustomStringConvertible {
    /// A shard specification that is out of range or unreadable.
    case invalid(String)
    /// Shards that do not make up one whole job: missing, duplicated, unfinished or from different jobs.
    case mismatch(String)

    public var description: String {
        switch self {
        case let .invalid(reason): return "invalid shard: \(reason)"
        case let .mismatch(reason): return "shards do not merge: \(reason)"
        }
    }
}
