/// What reading and packing a corpus saw: documents kept and skipped, tokens and contexts. Skipped documents
/// (empty, invalid UTF-8, JSONL lines without the text field) are counted here, never fatal.
public struct CorpusReport: Sendable, Equatable, Codable {
    /// Files read.
    public var files = 0
    /// Documents tokenized.
    public var documents = 0
    /// Empty (or whitespace-only) documents, skipped.
    public var emptyDocuments = 0
    /// Documents that are not valid UTF-8, skipped.
    public var invalidUTF8 = 0
    /// JSONL lines that are not an object with a string text field, skipped.
    public var invalidRecords = 0
    /// Documents longer than `ContextPacker.maxDocumentBytes`, read and tokenized in pieces.
    public var splitDocuments = 0
    /// Documents with more tokens than a context holds (they run on into the next contexts).
    public var longDocuments = 0
    /// Document tokens (without BOS and separators).
    public var tokens = 0
    /// Full contexts cut.
    public var contexts = 0
    /// Tokens after the last full context, not scanned.
    public var droppedTokens = 0

    /// Creates an empty report.
    public init() {}

    /// One line per non-zero count, e.g. `documents: 1200`.
    public var lines: [String] {
        let fields: [(String, Int)] = [("files", files), ("documents", documents), ("empty documents skipped", emptyDocuments),
                                       ("invalid UTF-8 documents skipped", invalidUTF8),
                                       ("invalid JSONL records skipped", invalidRecords),
                                       ("documents split while reading", splitDocuments),
                                       ("documents longer than a context", longDocuments), ("document tokens", tokens),
                                       ("contexts", contexts), ("tokens after the last full context", droppedTokens)]
        return fields.filter { $0.1 != 0 || $0.0 == "contexts" }.map { "\($0.0): \($0.1)" }
    }
}
