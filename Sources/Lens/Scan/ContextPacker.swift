import Foundation

/// How documents become contexts: each context is `contextLength` tokens, BOS first when `prependBOS`, the rest
/// cut from the stream of documents joined by `separator`. The same corpus and options always give the same
/// contexts in the same order.
public struct PackingOptions: Sendable, Equatable, Codable {
    /// Tokens per context (BOS included).
    public var contextLength: Int
    /// Start every context with `bos`.
    public var prependBOS: Bool
    /// The BOS id.
    public var bos: Int?
    /// The id put between two documents (nil: none).
    public var separator: Int?

    /// Explicit options.
    public init(contextLength: Int, prependBOS: Bool, bos: Int?, separator: Int?) {
        (self.contextLength, self.prependBOS, self.bos, self.separator) = (contextLength, prependBOS, bos, separator)
    }

    /// What TransformerLens and SAELens do for `tokenizer`: BOS first when the tokenizer has one, documents
    /// separated by EOS (else BOS).
    public init(contextLength: Int, tokenizer: Tokenizer?) {
        let bos = tokenizer?.bosTokenId
        self.init(contextLength: contextLength, prependBOS: bos != nil, bos: bos, separator: tokenizer?.eosTokenId ?? bos)
    }
}

/// Reads a corpus and cuts it into contexts, streaming (memory holds one chunk of documents and one context).
public struct ContextPacker {
    /// The corpus.
    public let corpus: Corpus
    /// Tokenizes text formats (not needed for `tokens` files).
    public let tokenizer: Tokenizer?
    /// Packing.
    public let options: PackingOptions
    /// Ids must be below this.
    public let vocabularySize: Int

    /// Documents tokenized together (`Tokenizer.encodeBatch` uses every core).
    static let documentsPerChunk = 256

    /// A packer; throws `ScanError.invalidOption` for a context that cannot hold a token, or text without a tokenizer.
    public init(corpus: Corpus, tokenizer: Tokenizer?, options: PackingOptions, vocabularySize: Int) throws {
        guard options.contextLength >= (options.prependBOS ? 2 : 1) else {
            throw ScanError.invalidOption("context length \(options.contextLength) leaves no room for document tokens")
        }
        if options.prependBOS, options.bos == nil { throw ScanError.invalidOption("prependBOS without a BOS id") }
        if corpus.format != .tokens, tokenizer == nil {
            throw ScanError.invalidOption("a \(corpus.format.rawValue) corpus needs a tokenizer")
        }
        (self.corpus, self.tokenizer, self.options, self.vocabularySize) = (corpus, tokenizer, options, vocabularySize)
    }

    /// Calls `body(index, tokens)` for every context in order (`tokens.count == contextLength`); `progress` gets
    /// the fraction of the corpus read so far (bytes of text, or rows of token files). Returns what was read and
    /// skipped.
    @discardableResult
    public func forEachContext(progress: ((Double) -> Void)? = nil,
                               _ body: (Int, [Int32]) throws -> Void) throws -> CorpusReport {
        var report = CorpusReport()
        if corpus.format == .tokens {
            for (k, file) in corpus.files.enumerated() {
                try readTokens(file, report: &report, progress: { progress?((Double(k) + $0) / Double(corpus.files.count)) }, body)
            }
        } else {
            try readText(report: &report, progress: progress, body)
        }
        guard report.contexts > 0 else {
            throw ScanError.emptyCorpus("\(report.documents) documents, \(report.tokens) tokens: not one full context of "
                                        + "\(options.contextLength) tokens (\(corpus.files.map(\.path).joined(separator: ", ")))")
        }
        return report
    }

    private func readText(report: inout CorpusReport, progress: ((Double) -> Void)?,
                          _ body: (Int, [Int32]) throws -> Void) throws {
        let tokenizer = tokenizer!
        let reader = DocumentReader(format: corpus.format, textField: corpus.textField)
        let room = options.contextLength - (options.prependBOS ? 1 : 0)
        var stream: [Int32] = [], start = 0
        var chunk: [String] = []
        var bytesDone = 0
        let totalBytes = Double(max(1, corpus.byteCount))
        func flush(_ report: inout CorpusReport) throws {
            for ids in tokenizer.encodeBatch(chunk, addSpecialTokens: false) where !ids.isEmpty {
                if report.documents > 0, let separator = options.separator { stream.append(Int32(separator)) }
                report.documents += 1
                report.tokens += ids.count
                if ids.count > room { report.longDocuments += 1 }
                stream += ids.lazy.map { Int32($0) }
                while stream.count - start >= room {
                    var context: [Int32] = options.prependBOS ? [Int32(options.bos!)] : []
                    context += stream[start..<(start + room)]
                    start += room
                    try body(report.contexts, context)
                    report.contexts += 1
                }
                if start > 1 << 16 { stream.removeFirst(start); start = 0 }
            }
            chunk.removeAll(keepingCapacity: true)
        }
        // The reader counts skipped documents in `report`, the packer what it packs in `packed`.
        var packed = CorpusReport()
        for file in corpus.files {
            try reader.read(file, report: &report, bytesRead: { bytesDone += $0 }) { document in
                chunk.append(document)
                if chunk.count == Self.documentsPerChunk {
                    try flush(&packed)
                    progress?(Double(bytesDone) / totalBytes)
                }
            }
            try flush(&packed)
            progress?(Double(bytesDone) / totalBytes)
        }
        (report.documents, report.tokens, report.longDocuments) = (packed.documents, packed.tokens, packed.longDocuments)
        report.contexts = packed.contexts
        report.droppedTokens = stream.count - start
    }

    private func readTokens(_ file: URL, report: inout CorpusReport, progress: (Double) -> Void,
                            _ body: (Int, [Int32]) throws -> Void) throws {
        let tokens = try Self.tokenArray(file)
        guard tokens.rank == 2, tokens.dtype.isInteger else {
            throw ScanError.badTokens(file.path, reason: "expected integer token ids of shape [N, ctx], found \(tokens.dtype) "
                                      + "\(tokens.shape)")
        }
        guard tokens.shape[1] == options.contextLength else {
            throw ScanError.badTokens(file.path, reason: "rows have \(tokens.shape[1]) tokens but the context length is "
                                      + "\(options.contextLength)")
        }
        report.files += 1
        for row in 0..<tokens.shape[0] {
            let ids = tokens[row].intScalars
            if let column = ids.firstIndex(where: { $0 < 0 || $0 >= vocabularySize }) {
                throw ScanError.badTokens(file.path, reason: "token id \(ids[column]) at row \(row), column \(column) is "
                                          + "outside the vocabulary of \(vocabularySize)")
            }
            report.tokens += ids.count
            try body(report.contexts, ids.map { Int32($0) })
            report.contexts += 1
            progress(Double(row + 1) / Double(tokens.shape[0]))
        }
    }

    /// The token array of a `.npy` file, or of a `.safetensors` file (its `tokens` or `input_ids` tensor, else
    /// its only tensor).
    static func tokenArray(_ file: URL) throws -> Tensor {
        do {
            if file.pathExtension.lowercased() == "npy" { return try Tensor(npyContentsOf: file.path) }
            let st = try SafetensorsFile(path: file.path)
            guard let name = ["tokens", "input_ids"].first(where: st.names.contains) ?? (st.names.count == 1 ? st.names[0] : nil)
            else {
                throw ScanError.badTokens(file.path, reason: "holds \(st.names.count) tensors and none is named tokens or input_ids")
            }
            return try st.tensor(name)
        } catch let error as ScanError {
            throw error
        } catch {
            throw ScanError.badTokens(file.path, reason: "\(error)")
        }
    }
}
