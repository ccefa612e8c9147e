import Foundation
import Kernels

/// A Hugging Face `tokenizer.json` tokenizer (BPE model), token-exact with the `tokenizers` library:
/// added tokens are matched first, then each remaining piece is normalized, pre-tokenized, split into
/// words and encoded by BPE; the post-processor adds its special tokens. Immutable and thread-safe.
public final class Tokenizer: Sendable {
    let rawMatcher: AddedTokenMatcher
    let normalizedMatcher: AddedTokenMatcher
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let byteLevel: Bool
    let model: BPEModel
    let postProcessor: PostProcessor?
    let decoder: Decoder?
    let truncation: Truncation?
    let padding: Padding?
    /// Token string of every id (nil where no token has that id).
    let tokens: [String?]
    /// Contents of special added tokens (UTF-8), skipped by `decode(_:skipSpecialTokens: true)`.
    let specialContents: ByteTable
    /// Contents of all added tokens -> id.
    let addedIds: ByteTable

    /// The added tokens (special and not), in file order.
    public let addedTokens: [AddedToken]
    /// Id of the beginning-of-sequence token, when one can be found (see `SpecialTokenNames`).
    public let bosTokenId: Int?
    /// Id of the end-of-sequence token, when one can be found.
    public let eosTokenId: Int?
    /// Id of the padding token, when one can be found.
    public let padTokenId: Int?
    /// Whether the post-processor starts every sequence with special tokens (a BOS template):
    /// TransformerLens' `tokenizer_prepends_bos`.
    public let prependsBOS: Bool

    /// Number of token ids: the largest id plus one.
    public var vocabularySize: Int { tokens.count }

    /// Loads `tokenizer.json` from a file; a `tokenizer_config.json` beside it, if present, names the
    /// BOS / EOS / padding tokens.
    public convenience init(contentsOf url: URL) throws {
        let json = try Self.readFile(url)
        let configURL = url.deletingLastPathComponent().appendingPathComponent("tokenizer_config.json")
        let config = FileManager.default.fileExists(atPath: configURL.path) ? try Self.readFile(configURL) : nil
        try self.init(json: json, config: config)
    }

    /// Loads `tokenizer.json` from a path (see `init(contentsOf:)`).
    public convenience init(contentsOfFile path: String) throws {
        try self.init(contentsOf: URL(fileURLWithPath: path))
    }

    /// Builds a tokenizer from the bytes of a `tokenizer.json` and, optionally, of a
    /// `tokenizer_config.json`.
    public init(json: [UInt8], config: [UInt8]? = nil) throws {
        let root = JSONField(value: try JSONField.parse(json), path: "")
        guard case .object = root.value else {
            throw TokenizerError.invalidField("top level", reason: "expected an object, found \(root.value.kind)")
        }
        if let version = root.optionalMember("version"), try version.string() != "1.0" {
            throw version.invalid("unknown tokenizer version")
        }
        let addedCount = try root.optionalMember("added_tokens")?.array().count ?? 0
        let (model, vocabTokens, idLimit) = try ModelParsing.bpe(root.member("model"), addedCount: addedCount)
        self.model = model
        normalizer = try root.optionalMember("normalizer").map(ComponentParsing.normalizer)
        preTokenizer = try root.optionalMember("pre_tokenizer").map(ComponentParsing.preTokenizer)
        byteLevel = preTokenizer?.isByteLevel ?? false
        postProcessor = try root.optionalMember("post_processor").map { try ModelParsing.postProcessor($0, idLimit: idLimit) }
        decoder = try root.optionalMember("decoder").map(ComponentParsing.decoder)
        truncation = try root.optionalMember("truncation").map(Truncation.init)
        padding = try root.optionalMember("padding").map(Padding.init)
        let added = try ModelParsing.addedTokens(root.optionalMember("added_tokens"), vocab: model.vocab,
                                                 vocabCount: model.vocab.count, idLimit: idLimit)
        addedTokens = added
        (rawMatcher, normalizedMatcher) = Self.matchers(added, normalizer: normalizer)

        let largest = max(vocabTokens.map { $0.1 }.max() ?? -1, added.map(\.id).max() ?? -1)
        var table = [String?](repeating: nil, count: largest + 1)
        for (token, id) in vocabTokens where table[id] == nil { table[id] = token }
        var specials = ByteTable()
        var addedIds = ByteTable()
        for token in added {
            table[token.id] = token.content
            addedIds.insert(token.content, value: token.id)
            if token.special { specials.insert(token.content, value: token.id) }
        }
        tokens = table
        specialContents = specials
        self.addedIds = addedIds

        let names = try SpecialTokenNames(config: config)
        let lookup: (String) -> Int? = { text in addedIds.find(text) ?? model.vocab.find(text) }
        let (templateBOS, templateEOS) = Self.templateEnds(postProcessor)
        prependsBOS = templateBOS != nil
        bosTokenId = try names.resolve(names.bos, field: "bos_token", default: templateBOS,
                                       candidates: SpecialTokenNames.bosCandidates, lookup)
        eosTokenId = try names.resolve(names.eos, field: "eos_token", default: templateEOS,
                                       candidates: SpecialTokenNames.eosCandidates, lookup)
        padTokenId = try names.resolve(names.pad, field: "pad_token", default: padding?.padId,
                                       candidates: SpecialTokenNames.padCandidates, lookup)
    }

    private static func readFile(_ url: URL) throws -> [UInt8] {
        do {
            return Array(try Data(contentsOf: url))
        } catch {
            throw TokenizerError.unreadableFile(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Matchers for non-normalized tokens (raw input) and normalized tokens (normalized text), each in
    /// `tokenizers`' order: special tokens first, then the others.
    private static func matchers(_ tokens: [AddedToken], normalizer: Normalizer?) -> (AddedTokenMatcher, AddedTokenMatcher) {
        let ordered = tokens.filter(\.special) + tokens.filter { !$0.special }
        let raw = ordered.filter { !$0.normalized }
        let normalized = ordered.filter(\.normalized)
        return (AddedTokenMatcher(tokens: raw, patterns: raw.map { Array($0.content.utf8) }),
                AddedTokenMatcher(tokens: normalized, patterns: normalized.map { token in
                    let bytes = Array(token.content.utf8)
                    return normalizer?.apply(bytes) ?? bytes
                }))
    }

    /// The first special id the post-processor puts before the sequence and the last it puts after.
    private static func templateEnds(_ processor: PostProcessor?) -> (Int?, Int?) {
        guard let processor else { return (nil, nil) }
        let marker: Int32 = -1
        let out = processor.process([marker], addSpecialTokens: true)
        guard let position = out.firstIndex(of: marker) else { return (nil, nil) }
        return (position > 0 ? Int(out[0]) : nil, position < out.count - 1 ? Int(out[out.count - 1]) : nil)
    }

    /// Ids of `text`: added tokens, then normalizer, pre-tokenizer and BPE; with `addSpecialTokens`
    /// the post-processor's special tokens are added. Truncation and padding declared in the file are
    /// applied as `tokenizers`' `encode` applies them.
    public func encode(_ text: String, addSpecialTokens: Bool = true) -> [Int] {
        var ids = finish(contentIds(text), addSpecialTokens: addSpecialTokens) { $0 }
        if let padding { padding.apply(to: &ids, longest: ids.count, pad: Int32(truncatingIfNeeded: padding.padId)) }
        return ids.map(Int.init)
    }

    /// `encode` together with the token strings `tokenizers` reports (`Encoding.tokens`): vocabulary
    /// entries, and for added tokens the text they matched (including whitespace `lstrip` / `rstrip`
    /// absorbed).
    public func encodeWithTokens(_ text: String, addSpecialTokens: Bool = true) -> (ids: [Int], tokens: [String]) {
        var matched: [(Int, String)] = []
        let content = contentIds(text) { matched.append(($0, $1)) }
        var strings = content.map { tokens[Int($0)] ?? "" }
        for (index, text) in matched { strings[index] = text }
        var ids = finish(content, addSpecialTokens: addSpecialTokens) { $0 }
        strings = finish(strings, addSpecialTokens: addSpecialTokens) { self.tokens[Int($0)] ?? "" }
        if let padding {
            padding.apply(to: &ids, longest: ids.count, pad: Int32(truncatingIfNeeded: padding.padId))
            padding.apply(to: &strings, longest: strings.count, pad: padding.padToken)
        }
        return (ids.map(Int.init), strings)
    }

    /// File truncation (leaving room for the special tokens) and post-processing of per-token items.
    private func finish<Item>(_ items: [Item], addSpecialTokens: Bool, special: (Int32) -> Item) -> [Item] {
        var items = items
        if let truncation {
            truncation.apply(to: &items, budget: truncation.maxLength - (addSpecialTokens ? specialCount : 0))
        }
        return postProcessor?.process(items, addSpecialTokens: addSpecialTokens, special: special) ?? items
    }

    /// `encode` for many texts, on all cores; file padding (`BatchLongest`) pads to the longest.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true) -> [[Int]] {
        var results = [[Int32]](repeating: [], count: texts.count)
        let averageBytes = texts.reduce(0) { $0 + $1.utf8.count } / max(1, texts.count)
        results.withUnsafeMutableBufferPointer { out in
            Parallel.forChunks(texts.count, costPerElement: 64 * max(1, averageBytes)) { start, end in
                for i in start..<end {
                    out[i] = self.finish(self.contentIds(texts[i]), addSpecialTokens: addSpecialTokens) { $0 }
                }
            }
        }
        if let padding {
            let longest = results.map(\.count).max() ?? 0
            let pad = Int32(truncatingIfNeeded: padding.padId)
            for i in results.indices { padding.apply(to: &results[i], longest: longest, pad: pad) }
        }
        return results.map { $0.map(Int.init) }
    }

    /// How many ids the post-processor adds.
    var specialCount: Int { postProcessor?.addedCount ?? 0 }

    /// Ids of `text` before post-processing (no template, truncation or padding); `matched` receives
    /// the index and matched text of every added-token match.
    func contentIds(_ text: String, matched: ((Int, String) -> Void)? = nil) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 3 + 4)
        var cache = WordCache()
        let bytes = Array(text.utf8)
        for piece in rawMatcher.split(bytes) {
            if let token = piece.token {
                matched?(out.count, String(decoding: bytes[piece.range], as: UTF8.self))
                out.append(Int32(token.id))
                continue
            }
            var segment = Array(bytes[piece.range])
            if let normalizer { segment = normalizer.apply(segment) }
            let atStart = piece.range.lowerBound == 0
            if normalizedMatcher.isEmpty {
                encodeSegment(segment, atStart: atStart, into: &out, cache: &cache)
                continue
            }
            for sub in normalizedMatcher.split(segment) {
                if let token = sub.token {
                    matched?(out.count, String(decoding: segment[sub.range], as: UTF8.self))
                    out.append(Int32(token.id))
                } else {
                    encodeSegment(Array(segment[sub.range]), atStart: atStart && sub.range.lowerBound == 0,
                                  into: &out, cache: &cache)
                }
            }
        }
        return out
    }

    /// Pre-tokenizes normalized text and encodes each word.
    private func encodeSegment(_ segment: [UInt8], atStart: Bool, into out: inout [Int32], cache: inout WordCache) {
        var text = SplitText(bytes: segment, atStart: atStart)
        preTokenizer?.apply(&text)
        text.bytes.withUnsafeBufferPointer { buffer in
            for span in text.spans {
                model.tokenize(UnsafeBufferPointer(rebasing: buffer[span.start..<span.end]), byteLevel: byteLevel,
                               into: &out, cache: &cache)
            }
        }
    }

    /// Text of `ids` through the decoder (unknown ids are skipped; with `skipSpecialTokens`, special
    /// added tokens too). Without a decoder the tokens are joined with spaces.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        let pieces = ids.compactMap { id -> String? in
            guard let token = idToToken(id) else { return nil }
            if skipSpecialTokens, specialContents.find(token) != nil { return nil }
            return token
        }
        guard let decoder else { return pieces.joined(separator: " ") }
        return decoder.decode(pieces)
    }

    /// `decode` of each sequence.
    public func decodeBatch(_ sequences: [[Int]], skipSpecialTokens: Bool = false) -> [String] {
        sequences.map { decode($0, skipSpecialTokens: skipSpecialTokens) }
    }

    /// The token string of an id (added token content or vocabulary entry), or nil.
    public func idToToken(_ id: Int) -> String? {
        guard id >= 0, id < tokens.count else { return nil }
        return tokens[id]
    }

    /// The id of a token string (added tokens first, then the vocabulary), or nil. Compares UTF-8
    /// bytes, not canonical equivalence.
    public func tokenToId(_ token: String) -> Int? {
        addedIds.find(token) ?? model.vocab.find(token)
    }
}
