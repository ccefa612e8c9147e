import Foundation

/// One record of a patching dataset: a clean prompt and a corrupted one of the same token length, the answer the
/// clean prompt should give and the wrong one the corrupted prompt pushes towards (each a single token, used
/// exactly as written: include the leading space of a word).
public struct PromptPair: Sendable, Equatable, Codable {
    /// The clean prompt (BOS is prepended).
    public var clean: String
    /// The corrupted prompt.
    public var corrupted: String
    /// The correct next token.
    public var answer: String
    /// The wrong next token.
    public var wrong: String

    /// A pair.
    public init(clean: String, corrupted: String, answer: String, wrong: String) {
        (self.clean, self.corrupted, self.answer, self.wrong) = (clean, corrupted, answer, wrong)
    }
}

/// A prompt pair as token ids.
public struct TokenizedPair: Sendable, Equatable {
    /// Clean ids, BOS first.
    public var clean: [Int]
    /// Corrupted ids, as many as `clean`.
    public var corrupted: [Int]
    /// The answer and wrong ids.
    public var answer: Int, wrong: Int
}

/// A JSONL file of `PromptPair`s: one JSON object per line with the string fields `clean`, `corrupted`, `answer` and
/// `wrong` (other fields are ignored; blank lines are skipped), as IOI-style datasets are written.
public struct PromptDataset: Sendable {
    /// The file.
    public let file: URL
    /// The records, in file order.
    public let records: [PromptPair]
    /// Each record's 1-based line number.
    public let lines: [Int]
    /// A 64-bit FNV-1a hash of the file's bytes (16 hex digits): results are never mixed across datasets.
    public let fingerprint: String

    /// Reads `path`. Throws `DatasetError` naming the file (and the line) when it is missing, not UTF-8, empty, or
    /// holds a line that is not such an object.
    public init(jsonl path: String) throws {
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw DatasetError.missingFile(path) }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        try MemoryBudget.checkCurrent(needed: CheckedSize.product([size, 4]), what: "the prompt dataset \(path)")
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw DatasetError.badRecord(path, line: 0, "unreadable (\(error.localizedDescription))") }
        guard let text = String(data: data, encoding: .utf8) else { throw DatasetError.badRecord(path, line: 0, "not UTF-8 text") }
        var records: [PromptPair] = [], lines: [Int] = []
        let decoder = JSONDecoder()
        for (k, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.allSatisfy(\.isWhitespace) {
            do {
                records.append(try decoder.decode(PromptPair.self, from: Data(line.utf8)))
            } catch let DecodingError.keyNotFound(key, _) {
                throw DatasetError.badRecord(path, line: k + 1, "no \"\(key.stringValue)\" field")
            } catch let DecodingError.typeMismatch(_, context) {
                throw DatasetError.badRecord(path, line: k + 1, "\"\(context.codingPath.map(\.stringValue).joined(separator: "."))\" is not a string")
            } catch {
                throw DatasetError.badRecord(path, line: k + 1, "not a JSON object with string fields clean, corrupted, answer, wrong")
            }
            lines.append(k + 1)
        }
        guard !records.isEmpty else { throw DatasetError.badRecord(path, line: 0, "no records") }
        var hash = FNV1a()
        data.withUnsafeBytes { hash.add($0) }
        (self.file, self.records, self.lines, self.fingerprint) = (url, records, lines, hash.hex)
    }

    /// Every record as ids through `model`'s tokenizer. Throws `DatasetError.badRecord` naming the line of a pair
    /// whose prompts differ in token length or whose answer or wrong text is not one token, and `LensError.noTokenizer`.
    public func tokenized(model: LensModel) throws -> [TokenizedPair] {
        try records.indices.map { k in
            let record = records[k], line = lines[k]
            let clean = try model.toTokens(record.clean).intScalars, corrupted = try model.toTokens(record.corrupted).intScalars
            guard clean.count == corrupted.count else {
                throw DatasetError.badRecord(file.path, line: line, "clean and corrupted prompts have \(clean.count) and "
                                             + "\(corrupted.count) tokens; they must have as many")
            }
            func single(_ text: String, _ field: String) throws -> Int {
                do { return try model.toSingleToken(text) } catch {
                    throw DatasetError.badRecord(file.path, line: line, "\(field) \"\(text)\" is not a single token")
                }
            }
            return TokenizedPair(clean: clean, corrupted: corrupted, answer: try single(record.answer, "answer"),
                                 wrong: try single(record.wrong, "wrong"))
        }
    }
}

/// A prompt dataset that cannot be used; each case names the file.
public enum DatasetError: Error, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case missingFile(String)
    /// A record (1-based line; 0 for the whole file) that cannot be used.
    case badRecord(String, line: Int, String)

    public var description: String {
        switch self {
        case let .missingFile(path): return "prompt dataset \(path) does not exist"
        case let .badRecord(path, line, reason): return line > 0 ? "\(path):\(line): \(reason)" : "prompt dataset \(path): \(reason)"
        }
    }
}
