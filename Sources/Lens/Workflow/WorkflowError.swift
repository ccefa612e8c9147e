/// Input that an analysis workflow cannot use; each message names the offending text, file or field.
public enum WorkflowError: Error, Equatable, CustomStringConvertible {
    /// The prompt is empty.
    case emptyPrompt
    /// The prompt has more tokens than the model's context.
    case promptTooLong(tokens: Int, context: Int)
    /// An answer that is not exactly one token; `pieces` are its tokens.
    case notSingleToken(role: String, text: String, pieces: [String])
    /// The corrupted prompt tokenizes to another length than the clean one.
    case corruptedLength(clean: [String], corrupted: [String])
    /// A layer outside the model.
    case unknownLayer(Int, layers: Int)
    /// A head outside the model.
    case unknownHead(layer: Int, head: Int, layers: Int, heads: Int)
    /// A file of the workflow (model folder, prompts file) that is missing or malformed.
    case badFile(path: String, reason: String)

    /// A one-line message naming the offending input.
    public var description: String {
        switch self {
        case .emptyPrompt:
            return "the prompt is empty"
        case let .promptTooLong(tokens, context):
            return "the prompt has \(tokens) tokens, more than the model's context of \(context)"
        case let .notSingleToken(role, text, pieces):
            let quoted = pieces.map { "\"\($0)\"" }.joined(separator: ", ")
            return "the \(role) \"\(text)\" is \(pieces.count) tokens [\(quoted)], not one: "
                + "give a single-token \(role) (usually with a leading space, e.g. \" Paris\")"
        case let .corruptedLength(clean, corrupted):
            return "the corrupted prompt has \(corrupted.count) tokens but the clean prompt \(clean.count); patching "
                + "needs equal lengths (clean: \(clean), corrupted: \(corrupted))"
        case let .unknownLayer(layer, layers):
            return "layer \(layer) does not exist: the model has layers 0...\(layers - 1)"
        case let .unknownHead(layer, head, layers, heads):
            return "head \(layer).\(head) does not exist: the model has layers 0...\(layers - 1) "
                + "with heads 0...\(heads - 1)"
        case let .badFile(path, reason):
            return "\(path): \(reason)"
        }
    }
}
