import ArgumentParser
import Foundation
import Lens

/// `lens logits`: runs a Hugging Face model folder on token ids and writes the logits as `.npy`.
struct LogitsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits",
        abstract: "Write float32 logits [batch, pos, d_vocab] for token ids to an .npy file.",
        discussion: "Rows of unequal length are right-padded with 0 and masked; their padded positions hold the "
            + "logits of a padding token that no other position sees.")

    @Option(name: .long, help: "Hugging Face model folder (config.json and model.safetensors).")
    var model: String

    @Option(name: .long, help: "Token ids: comma-separated, rows separated by ';' (e.g. 1,2,3;4,5,6).")
    var tokens: String

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    @OptionGroup var weights: WeightsOption

    @Option(name: .long, help: "Output .npy file.")
    var out: String

    /// Timing for Benchmarks/: run the forward this many times and print the load time and the best
    /// forward time as JSON (the logits are still written).
    @Option(name: .customLong("benchmark-repeats"), help: .hidden)
    var benchmarkRepeats: Int?

    /// With `--benchmark-repeats`: also greedily generate this many tokens after the first row (KV cache) and
    /// time it (`LogitsBenchmark`).
    @Option(name: .customLong("benchmark-generate"), help: .hidden)
    var benchmarkGenerate: Int?

    func validate() throws {
        if let benchmarkRepeats, benchmarkRepeats < 1 {
            throw ValidationError("--benchmark-repeats must be at least 1.")
        }
    }

    func run() throws {
        let rows = try TokenRows.parse(tokens)
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let transformer = try HookedTransformer(pretrained: URL(fileURLWithPath: model),
                                                processing: noProcessing ? .none : .default,
                                                precision: weights.precision)
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
        var best = Double.infinity
        var logits = Tensor(zeros: [0])
        for _ in 0..<(benchmarkRepeats ?? 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            logits = try transformer.forward(tokens: rows.tokens, attentionMask: rows.mask)
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        try logits.writeNpy(to: out)
        guard let benchmarkRepeats else { return }
        let extra = try LogitsBenchmark(model: transformer, tokens: rows.tokens, repeats: benchmarkRepeats)
            .fields(generate: benchmarkGenerate ?? 0)
        print("{\"load_seconds\": \(loadSeconds), \"forward_seconds\": \(best)\(extra)}")
    }
}

/// Token rows parsed from `1,2,3;4,5`, right-padded to equal length with a mask when they differ.
struct TokenRows {
    /// `[batch, pos]` ids.
    let tokens: Tensor
    /// `[batch, pos]` 1/0 mask, or nil when every row has the same length.
    let mask: Tensor?

    /// Parses `text`; throws a `ValidationError` naming the bad entry.
    static func parse(_ text: String) throws -> TokenRows {
        let rows = try text.split(separator: ";", omittingEmptySubsequences: false).map { row in
            try row.split(separator: ",", omittingEmptySubsequences: false).map { item -> Int in
                let trimmed = item.trimmingCharacters(in: .whitespaces)
                guard let id = Int(trimmed), id >= 0 else {
                    throw ValidationError("--tokens: \"\(trimmed)\" is not a token id")
                }
                return id
            }
        }
        let width = rows.map(\.count).max() ?? 0
        guard width > 0, rows.allSatisfy({ !$0.isEmpty }) else { throw ValidationError("--tokens: empty row") }
        let ids = rows.flatMap { $0 + Array(repeating: 0, count: width - $0.count) }
        let tokens = Tensor(ints: ids, shape: [rows.count, width])
        guard rows.contains(where: { $0.count != width }) else { return TokenRows(tokens: tokens, mask: nil) }
        let mask = rows.flatMap { Array(repeating: 1, count: $0.count) + Array(repeating: 0, count: width - $0.count) }
        return TokenRows(tokens: tokens, mask: Tensor(ints: mask, shape: [rows.count, width]))
    }
}
