/// Errors from reading a `tokenizer.json` or from a TransformerLens-style token query. Field paths are
/// dotted paths into `tokenizer.json` (`model.merges[3]`) or `tokenizer_config.json`.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadableFile(path: String, reason: String)
    /// The JSON text itself is malformed or truncated (`offset` is a byte offset into the file).
    case malformedJSON(offset: Int, reason: String)
    /// A required field is absent (`field` is a dotted path such as `model.vocab`).
    case missingField(String)
    /// A field holds a value of the wrong kind or an impossible value.
    case invalidField(String, reason: String)
    /// A component type this implementation does not support (`field` says where it was found).
    case unsupportedComponent(field: String, type: String)
    /// A BPE merge names a token that is not in the vocabulary.
    case mergeTokenNotInVocab(field: String, token: String)
    /// A token id outside the range the vocabulary allows.
    case idOutOfRange(field: String, id: Int, limit: Int)
    /// `toSingleToken` was given text that is not exactly one token.
    case notSingleToken(text: String, count: Int)
    /// `getTokenPosition` did not find the token.
    case tokenNotFound(id: Int)

    /// A one-line message naming the file, field or token concerned.
    public var description: String {
        switch self {
        case let .unreadableFile(path, reason):
            return "cannot read \(path): \(reason)"
        case let .malformedJSON(offset, reason):
            return "malformed JSON at byte \(offset): \(reason)"
        case let .missingField(field):
            return "missing field \(field)"
        case let .invalidField(field, reason):
            return "invalid \(field): \(reason)"
        case let .unsupportedComponent(field, type):
            return "unsupported \(field) type \"\(type)\""
        case let .mergeTokenNotInVocab(field, token):
            return "\(field) names token \"\(token)\" that is not in model.vocab"
        case let .idOutOfRange(field, id, limit):
            return "\(field) has id \(id), outside 0..<\(limit)"
        case let .notSingleToken(text, count):
            return "\"\(text)\" is \(count) tokens, not a single token"
        case let .tokenNotFound(id):
            return "token \(id) does not occur in the input"
        }
    }
}
