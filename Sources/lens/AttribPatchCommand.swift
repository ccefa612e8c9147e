import ArgumentParser
import Foundation
import Lens

/// `lens attrib-patch`: the attribution-patching (AtP) estimate of a `lens patch` sweep.
struct AttribPatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attrib-patch",
        abstract: "Estimate a patching sweep by attribution patching: one forward and backward pass instead of one per patch.",
        discussion: "Takes the arguments of lens patch and returns the same shape: estimate = metric(corrupted) + "
            + "sum over the patched entries of (clean - corrupted) * d metric / d activation at the corrupted run. "
            + "The metric is the mean over the batch of logit[answer] - logit[wrong] at the last position, normalised "
            + "(0 = corrupted, 1 = clean) unless --raw. --compare also runs the exact sweep and prints the "
            + "correlation.\n\n"
            + "Examples:\n"
            + "  lens attrib-patch --model Models/demo --act head_z_all_pos --compare \\\n"
            + "    --clean \"The Eiffel Tower is located in\" --answer \" Paris\" \\\n"
            + "    --corrupted \"The Leaning Tower is located in\" --wrong \" Pisa\"\n"
            + "  lens attrib-patch --model DIR --clean-tokens 1,2,3 --corrupted-tokens 1,5,3 --answer-id 7 \\\n"
            + "    --wrong-id 9 --act resid_pre --raw --out atp.npy")

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

    @Flag(name: .long, help: "Save the raw estimated logit difference instead of the normalised one.")
    var raw = false

    @Option(name: .long, help: "Write the estimate to this .npy file.")
    var out: String?

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    @OptionGroup var weights: WeightsOption

    @Flag(name: .long, help: "Also run the exact sweep and print its correlation with the estimate.")
    var compare = false

    /// Timing for Benchmarks/: best of this many AtP estimates and fast exact sweeps, printed as JSON with their
    /// correlation (the estimate still goes to --out).
    @Option(name: .customLong("benchmark-repeats"), help: .hidden)
    var benchmarkRepeats: Int?

    func validate() throws {
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
        let inputs = PatchInputs(model: model, clean: clean, corrupted: corrupted, cleanTokens: cleanTokens,
                                 corruptedTokens: corruptedTokens, answer: answer, wrong: wrong, answerID: answerID,
                                 wrongID: wrongID)
        let (cleanIDs, corruptedIDs) = try inputs.tokenRows(lens)
        guard cleanIDs.shape == corruptedIDs.shape else {
            throw PatchCommandError("clean and corrupted token lengths differ: \(cleanIDs.shape) vs \(corruptedIDs.shape)")
        }
        let (answers, wrongs) = try inputs.answerIDs(lens, batch: cleanIDs.shape[0])
        try PatchInputs.checkVocabulary(answers + wrongs, lens.transformer.config.dVocabOut)
        let logitDiff = try GradientMetric.logitDiff(answers: answers, wrong: wrongs)
        let cleanValue = try logitDiff.patchingMetric(lens(cleanIDs))
        let corruptedValue = try logitDiff.patchingMetric(lens(corruptedIDs))
        let metric = raw ? logitDiff : try logitDiff.normalized(clean: cleanValue, corrupted: corruptedValue)
        if let benchmarkRepeats {
            var (atp, exactTime, estimate, exact) = (Double.infinity, Double.infinity, Tensor(zeros: [1]), Tensor(zeros: [1]))
            for _ in 0..<max(1, benchmarkRepeats) {
                var start = DispatchTime.now().uptimeNanoseconds
                estimate = try lens.attributionPatch(sweep, clean: cleanIDs, corrupted: corruptedIDs, metric: metric)
                atp = min(atp, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                start = DispatchTime.now().uptimeNanoseconds
                exact = try lens.actPatch(sweep, clean: cleanIDs, corrupted: corruptedIDs, metric: metric.patchingMetric,
                                          options: PatchingOptions(showProgress: false))
                exactTime = min(exactTime, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            if let out { try estimate.writeNpy(to: out) }
            return print("{\"atp_seconds\": \(atp), \"exact_fast_seconds\": \(exactTime), "
                         + "\"correlation\": \(try pearsonCorrelation(estimate, exact))}")
        }
        let estimate = try lens.attributionPatch(sweep, clean: cleanIDs, corrupted: corruptedIDs, metric: metric)
        if let out { try writeNpy(estimate, to: out) }
        print("\(sweep.rawValue) attribution-patching estimate, shape \(estimate.shape), "
              + (raw ? "raw logit difference" : "normalised logit difference (0 = corrupted, 1 = clean)"))
        print("clean logit difference \(cleanValue), corrupted \(corruptedValue)")
        print(estimate.description)
        guard compare else { return }
        let exact = try lens.actPatch(sweep, clean: cleanIDs, corrupted: corruptedIDs, metric: metric.patchingMetric,
                                      options: PatchingOptions(showProgress: false))
        print("correlation with the exact sweep: \(fixed(try pearsonCorrelation(estimate, exact), 4))")
    }
}
