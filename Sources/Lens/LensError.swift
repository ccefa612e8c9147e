/// Misuse of the Lens API that is detected before (or instead of) computing anything.
public enum LensError: Error, Equatable, CustomStringConvertible {
    /// A hook name this model does not have; `suggestions` are the closest valid names.
    case unknownHook(String, suggestions: [String])
    /// An optional hook point whose config flag is off (`flag` is TransformerLens's flag name).
    case hookDisabled(String, flag: String)
    /// A cache key (after `getActName` expansion) that the cache does not hold.
    case missingActivation(String, suggestions: [String])
    /// A weight the architecture does not have (e.g. `W_pos` of a rotary model).
    case missingWeight(String, reason: String)
    /// An argument outside what the operation accepts.
    case invalidArgument(String)
    /// An operation that needs a tokenizer was called on a model loaded without one.
    case noTokenizer(String)
    /// A layer outside the model's blocks; `context` names where it was given (a hook name, a cache key).
    case layerOutOfRange(Int, layers: Int, context: String)
    /// A TransformerLens short name (`"resid_pre"`) where a full hook name is needed; `pattern` is the full
    /// name with `L` for the layer (`blocks.L.hook_resid_pre`).
    case shortHookName(String, pattern: String, layers: Int)

    /// The message, naming the offending hook, key, weight or argument.
    public var description: String {
        switch self {
        case let .unknownHook(name, suggestions):
            return "unknown hook point \"\(name)\"" + Self.didYouMean(suggestions)
        case let .hookDisabled(name, flag):
            return "hook point \"\(name)\" is off: enable \(flag) on the model first"
        case let .missingActivation(key, suggestions):
            return "the activation cache has no \"\(key)\"" + Self.didYouMean(suggestions)
        case let .missingWeight(name, reason):
            return "the model has no \(name): \(reason)"
        case let .invalidArgument(reason):
            return "invalid argument: \(reason)"
        case let .noTokenizer(operation):
            return "\(operation) needs a tokenizer; load the model with one"
        case let .layerOutOfRange(layer, layers, context):
            return "\(context): layer \(layer) is out of range; the model has \(layers) layer\(layers == 1 ? "" : "s") "
                + "(0...\(layers - 1))"
        case let .shortHookName(name, pattern, layers):
            return "\"\(name)\" is a short name; hook points are named in full: \"\(pattern)\" with L in 0...\(layers - 1) "
                + "(getActName(\"\(name)\", layer: L))"
        }
    }

    private static func didYouMean(_ names: [String]) -> String {
        names.isEmpty ? "" : "; closest: " + names.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}

/// The up to `limit` names of `candidates` nearest to `name` in edit distance (ties in candidate order).
func closestNames(to name: String, in candidates: [String], limit: Int = 3) -> [String] {
    let target = Array(name.utf8)
    let scored = candidates.enumerated().map { (index, candidate) in
        (distance: editDistance(target, Array(candidate.utf8)), index: index, name: candidate)
    }
    return scored.sorted { ($0.distance, $0.index) < ($1.distance, $1.index) }.prefix(limit).map(\.name)
}

/// Levenshtein distance: insertions, deletions and substitutions each cost 1.
func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
    if a.isEmpty { return b.count }
    var previous = Array(0...b.count), current = [Int](repeating: 0, count: b.count + 1)
    // d[i][j] = min(d[i-1][j] + 1, d[i][j-1] + 1, d[i-1][j-1] + (a[i] != b[j]))
    for i in 1...a.count {
        current[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
