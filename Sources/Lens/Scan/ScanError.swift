/// Bad scan input, detected before or while scanning; each case names the file, hook, unit set or option.
public enum ScanError: Error, Equatable, CustomStringConvertible {
    /// A corpus path that does not exist.
    case missingCorpusFile(String)
    /// A corpus file that is not text (`reason` says why, e.g. a NUL byte at an offset).
    case notText(String, reason: String)
    /// A corpus that yields no document (or no full context).
    case emptyCorpus(String)
    /// A pre-tokenized file of the wrong shape or dtype, or with an id outside the vocabulary.
    case badTokens(String, reason: String)
    /// A unit set that does not fit the model (an SAE whose `d_in` differs from its hook's width, a layer out
    /// of range, a direction of the wrong width).
    case unitMismatch(String, reason: String)
    /// An option outside what the scan accepts.
    case invalidOption(String)
    /// An activation that is not finite or beyond ±2^20 (the range sums are kept exactly in), naming the unit,
    /// context and position.
    case badActivation(String, reason: String)

    /// The message, naming the offending file, unit set or option.
    public var description: String {
        switch self {
        case let .missingCorpusFile(path): return "corpus file \(path) does not exist"
        case let .notText(path, reason): return "corpus file \(path) is not text: \(reason)"
        case let .emptyCorpus(reason): return "the corpus is empty: \(reason)"
        case let .badTokens(path, reason): return "token file \(path): \(reason)"
        case let .unitMismatch(units, reason): return "\(units): \(reason)"
        case let .invalidOption(reason): return "invalid scan option: \(reason)"
        case let .badActivation(units, reason): return "\(units): \(reason)"
        }
    }
}
