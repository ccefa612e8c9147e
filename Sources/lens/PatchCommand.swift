import ArgumentParser
import Foundation
import Lens

/// `lens patch`: an activation-patching sweep (TransformerLens's `get_act_patch_*`) from the command line.
struct PatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patch",
        abstract: "Patch clean activations into the corrupted run, one sweep, and print (and save) the result.",
        discussion: "The metric is the mean over the batch of logit[answer] - logit[wrong] at the last position. "
            + "Clean activations are patched into the corrupted run (TransformerLens's convention). Without --raw "
            + "the result is normalised: 0 = the corrupted run's metric, 1 = the clean run's. Output shapes are "
            + "TransformerLens's: [n_layers, pos] for resid_pre/resid_mid/resid_post/attn_out/mlp_out, "
            + "[n_layers, n_heads] for head_*_all_pos (key/value heads for k and v), [n_layers, pos, n_heads] for "
            + "head_*_by_pos, [n_layers, n_heads, pos] for head_pattern_by_pos, [n_layers, n_heads, pos, pos] for "
            + "head_pattern_dest_src_pos, [3, n_layers, pos] for block_every, [5, n_layers, n_heads] for "
            + "head_all_pos_every, [5, n_layers, pos, n_heads] for head_by_pos_every. Text is tokenized with "
            + "DIR/tokenizer.json with a BOS token; answers are used exactly as given (include a leading space "
            + "if the answer follows a word).\n\n"
            + "Examples:\n"
            + "  lens patch --model Models/demo --act resid_pre \\\n"
            + "    --clean \"The Eiffel Tower is located in\" --answer \" Paris\" \\\n"
            + "    --corrupted \"The Leaning Tower is located in\" --wrong \" Pisa\"\n"
            + "  lens patch --model Models/demo --act head_z_all_pos --json --out heads.npy \\\n"
            + "    --clean \"I love this movie because it is\" --answer \" great\" \\\n"
            + "    --corrupted \"I hate this movie because it is\" --wrong \" terrible\"")

    @Option(name: .long, help: "Hugging Face model folder (config.json, model.safetensors; tokenizer.json for text).")
    var model: String

    @Option(name: .long, help: "Clean prompt text.")
    var clean: String?

    @Option(name: .long, help: "Corrupted prompt text (as many tokens as the clean one).")
    var corrupted: String?

    @Option(name: .customLong("clean-tokens"), help: "Clean token ids: comma-separated, rows separated by ';'.")
    var cleanTokens: String?

    @Option(name: .customLong("corrupted-tokens"), help: "Corrupted token ids, the same shape as the clean ones.")
    var corruptedTokens: String?

    @Option(name: .long, help: "Correct answer text (one token).")
    var answer: String?

    @Option(name: .long, help: "Wrong answer text (one token).")
    var wrong: String?

    @Option(name: .customLong("answer-id"), help: "Correct answer id, or one per batch row (comma-separated).")
    var answerID: String?

    @Option(name: .customLong("wrong-id"), help: "Wrong answer id, or one per batch row (comma-separated).")
    var wrongID: String?

    @Option(name: .long, help: ArgumentHelp("The sweep: " + PatchSweep.allCases.map(\.rawValue).joined(separator: ", ")
                                            + " (or TransformerLens's names, e.g. attn_head_out_all_pos)."))
    var act: String

    @Flag(name: .long, help: "Save the raw logit difference instead of the normalised one.")
    var raw = false

    @Option(name: .long, help: "Write the result to this .npy file.")
    var out: String?

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    @OptionGroup var weights: WeightsOption

    @Flag(name: .long, help: "One full forward pass per patch (TransformerLens's way; for checking).")
    var naive = false

    @Flag(name: .long, help: "No progress bar.")
    var quiet = false

    @Flag(name: .long, help: "Print JSON {sweep, shape, clean, corrupted, normalized, values (flat, row-major)}.")
    var json = false

    /// Timing for Benchmarks/: run the fast sweep this many times and the naive sweep once, print the best
    /// times and their largest difference as JSON (the fast result still goes to --out).
    @Option(name: .customLong("benchmark-repeats"), help: .hidden)
    var benchmarkRepeats: Int?

    func validate() throws {
        if let benchmarkRepeats, benchmarkRepeats < 1 { throw ValidationError("--benchmark-repeats must be at least 1") }
        guard PatchSweep(named: act) != nil else {
            throw ValidationError("--act: unknown sweep \"\(act)\"; expected one of "
                                  + PatchSweep.allCases.map(\.rawValue).joined(separator: ", "))
        }
        guard (clean != nil) == (corrupted != nil), (cleanTokens != nil) == (corruptedTokens != nil),
              (clean != nil) != (cleanTokens != nil) else {
            throw ValidationError("give either --clean and --corrupted, or --clean-tokens and --corrupted-tokens")
        }
        guard (answer != nil) == (wrong != nil), (answerID != nil) == (wrongID != nil), (answer != nil) != (answerID != nil) else {
            throw ValidationError("give either --answer and --wrong, or --answer-id and --wrong-id")
        }
    }

    func run() throws {
        let sweep = PatchSweep(named: act)!
        let lens = try LensModel(pretrained: URL(fileURLWithPath: model), processing: noProcessing ? .none : .default,
                                                precision: weights.precision)
        let (cleanIDs, corruptedIDs) = try tokenRows(lens)
        guard cleanIDs.shape == corruptedIDs.shape else {
            throw PatchCommandError("clean and corrupted token lengths differ: \(cleanIDs.shape) vs \(corruptedIDs.shape)")
        }
        let batch = cleanIDs.shape[0]
        let (answers, wrongs) = try answerIDs(lens, batch: batch)
        let vocabulary = lens.transformer.config.dVocabOut
        if let bad = (answers + wrongs).first(where: { !(0..<vocabulary).contains($0) }) {
            throw PatchCommandError("answer id \(bad) is outside the vocabulary of \(vocabulary)")
        }
        let transformer = lens.transformer
        let logitDiff = try PatchingMetric.logitDiff(answers: answers, wrong: wrongs)
        let cleanValue = try logitDiff(transformer.forward(tokens: cleanIDs))
        let corruptedValue = try logitDiff(transformer.forward(tokens: corruptedIDs))
        let metric = raw ? logitDiff : try logitDiff.normalized(clean: cleanValue, corrupted: corruptedValue)
        if let benchmarkRepeats {
            return try benchmark(transformer, sweep, cleanIDs, corruptedIDs, metric, repeats: benchmarkRepeats)
        }
        let options = PatchingOptions(strategy: naive ? .naive : .fast, showProgress: !quiet)
        let result = try transformer.actPatch(sweep, clean: cleanIDs, corrupted: corruptedIDs, metric: metric, options: options)
        if let out { try result.writeNpy(to: out) }
        if json {
            return try printJSON(PatchJSON(sweep: sweep.rawValue, shape: result.shape, clean: cleanValue,
                                           corrupted: corruptedValue, normalized: !raw, values: result.scalars))
        }
        print("\(sweep.rawValue) (\(sweep.transformerLensName)) shape \(result.shape), "
              + (raw ? "raw logit difference" : "normalised logit difference (0 = corrupted, 1 = clean)"))
        print("clean logit difference \(cleanValue), corrupted \(corruptedValue)")
        print(result.description)
    }

    /// Best wall time of `repeats` fast sweeps and of one naive sweep (each including the clean run that
    /// caches the patched activations), printed as JSON with the largest difference between the two.
    private func benchmark(_ model: HookedTransformer, _ sweep: PatchSweep, _ clean: Tensor, _ corrupted: Tensor,
                           _ metric: PatchingMetric, repeats: Int) throws {
        func timed(_ strategy: PatchStrategy, _ count: Int) throws -> (Double, Tensor) {
            var best = Double.infinity, result = Tensor(zeros: [0])
            for _ in 0..<count {
                let start = DispatchTime.now().uptimeNanoseconds
                result = try model.actPatch(sweep, clean: clean, corrupted: corrupted, metric: metric,
                                            options: PatchingOptions(strategy: strategy, showProgress: !quiet))
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return (best, result)
        }
        let (fast, fastResult) = try timed(.fast, repeats)
        let (slow, naiveResult) = try timed(.naive, 1)
        let difference = zip(fastResult.scalars, naiveResult.scalars).map { abs($0 - $1) }.max() ?? 0
        if let out { try fastResult.writeNpy(to: out) }
        print("{\"fast_seconds\": \(fast), \"naive_seconds\": \(slow), \"max_abs_fast_vs_naive\": \(difference)}")
    }

    /// The clean and corrupted `[batch, pos]` ids, from text (with BOS) or from id lists.
    private func tokenRows(_ lens: LensModel) throws -> (Tensor, Tensor) { try inputs.tokenRows(lens) }

    /// Answer and wrong ids per batch row (one id or text answer is used for every row).
    private func answerIDs(_ lens: LensModel, batch: Int) throws -> ([Int], [Int]) { try inputs.answerIDs(lens, batch: batch) }

    /// The prompt and answer options as given.
    private var inputs: PatchInputs {
        PatchInputs(model: model, clean: clean, corrupted: corrupted, cleanTokens: cleanTokens,
                    corruptedTokens: corruptedTokens, answer: answer, wrong: wrong, answerID: answerID, wrongID: wrongID)
    }

    /// `1,2,3;4,5,6` as a `[rows, pos]` tensor; rows must have equal length.
    static func ids(_ text: String, option: String) throws -> Tensor {
        let rows = try text.split(separator: ";", omittingEmptySubsequences: false).map { row in
            try row.split(separator: ",", omittingEmptySubsequences: false).map { item -> Int in
                let trimmed = item.trimmingCharacters(in: .whitespaces)
                guard let id = Int(trimmed), id >= 0 else { throw PatchCommandError("\(option): \"\(trimmed)\" is not a token id") }
                return id
            }
        }
        guard let width = rows.first?.count, width > 0, rows.allSatisfy({ $0.count == width }) else {
            throw PatchCommandError("\(option): rows must be non-empty and of equal length (token lengths differ)")
        }
        return Tensor(ints: rows.flatMap { $0 }, shape: [rows.count, width])
    }
}

/// A failure of `lens patch` found while running (bad ids, lengths, answers), printed as `Error: <message>`
/// without the usage text.
struct PatchCommandError: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String

    init(_ description: String) { self.description = description }
}

/// `lens patch --json`: the sweep's result with its clean and corrupted metrics.
struct PatchJSON: Encodable {
    let sweep: String
    let shape: [Int]
    let clean: Float, corrupted: Float
    let normalized: Bool
    let values: [Float]
}
