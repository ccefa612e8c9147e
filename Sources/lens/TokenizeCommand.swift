import ArgumentParser
import Foundation
import Lens

/// `lens tokenize`: encode text with a Hugging Face `tokenizer.json` and print the ids.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Encode text with a Hugging Face tokenizer.json and print the token ids.",
        discussion: """
            The ids are printed on one line, separated by single spaces. The post-processor's special \
            tokens (such as a BOS template) are added as the tokenizers library's encode adds them by \
            default. A --text-file is read as UTF-8 exactly as it is: no newline is stripped.

            Examples:
              lens tokenize --tokenizer tokenizer.json --text "Hello world"
              15496 995
              lens tokenize --tokenizer tokenizer.json --text "Hello world" --json
              {"ids": [15496, 995], "tokens": ["Hello", "Ġworld"]}
            """)

    @Option(help: "Path of the tokenizer.json file.")
    var tokenizer: String

    @Option(help: "Text to encode.")
    var text: String?

    @Option(name: .customLong("text-file"), help: "UTF-8 file whose exact contents are encoded.")
    var textFile: String?

    @Flag(help: "Print {\"ids\": [...], \"tokens\": [...]} instead of the ids alone.")
    var json = false

    /// Throughput measurement for Benchmarks/compare_tokenizer.sh: encode this many times and print
    /// the best time as JSON instead of the ids.
    @Option(name: .customLong("benchmark-repeats"), help: .hidden)
    var benchmarkRepeats: Int?

    func validate() throws {
        guard (text == nil) != (textFile == nil) else {
            throw ValidationError("Give exactly one of --text and --text-file.")
        }
        if let benchmarkRepeats, benchmarkRepeats < 1 {
            throw ValidationError("--benchmark-repeats must be at least 1.")
        }
    }

    func run() throws {
        let model: Tokenizer
        do {
            model = try Tokenizer(contentsOfFile: tokenizer)
        } catch let error as TokenizerError {
            if case .unreadableFile = error { throw error }
            throw TokenizeError(message: "\(tokenizer): \(error)")
        }
        let input = try text ?? Self.readUTF8(textFile ?? "")
        if let benchmarkRepeats {
            print(Self.benchmark(model, input, repeats: benchmarkRepeats))
            return
        }
        if json {
            let (ids, tokens) = model.encodeWithTokens(input)
            let idList = ids.map(String.init).joined(separator: ", ")
            let tokenList = tokens.map(Markup.jsonString).joined(separator: ", ")
            print("{\"ids\": [\(idList)], \"tokens\": [\(tokenList)]}")
        } else {
            print(model.encode(input).map(String.init).joined(separator: " "))
        }
    }

    /// The file's bytes as UTF-8 text, byte for byte (a byte-order mark is kept as U+FEFF).
    static func readUTF8(_ path: String) throws -> String {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenizeError(message: "cannot read --text-file \(path): \(error.localizedDescription)")
        }
        guard let text = String(validating: Array(data), as: UTF8.self) else {
            throw TokenizeError(message: "--text-file \(path) is not valid UTF-8")
        }
        return text
    }

    /// Best wall time over `repeats` encodes, as `{"bytes": ..., "tokens": ..., "seconds": ..., "mb_per_s": ...}`.
    static func benchmark(_ model: Tokenizer, _ input: String, repeats: Int) -> String {
        var best = Double.infinity
        var count = 0
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            count = model.encode(input).count
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let bytes = input.utf8.count
        let rate = Double(bytes) / 1e6 / best
        return "{\"bytes\": \(bytes), \"tokens\": \(count), \"seconds\": \(best), \"mb_per_s\": \(rate)}"
    }
}

/// A failure of `lens tokenize`, printed as `Error: <message>` with a non-zero exit status.
struct TokenizeError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
