import ArgumentParser
import Foundation
import Lens

/// `lens grad`: the gradient of a logit difference at hook points, one `.npy` file per hook point.
struct GradCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grad",
        abstract: "Write the gradient of a logit difference at every hook point (or the named ones) as NAME.npy.",
        discussion: "The metric is the mean over the batch of logit[answer] - logit[wrong] at the last position; its "
            + "gradient with respect to each hook point's activation is written as float32 DIR/NAME.npy in "
            + "TransformerLens's shape (what run_with_cache(incl_bwd=True) calls NAME_grad). By default every hook "
            + "point of a default run_with_cache is written. Hook points whose gradient is exactly zero (the metric "
            + "does not depend on them) are listed on standard error.\n\n"
            + "Examples:\n"
            + "  lens grad --model Models/demo --tokens 0,464,1812,286 --answer-id 7 --wrong-id 9 --out grads\n"
            + "  lens grad --model Models/demo --tokens \"0,5,6;0,7,8\" --answer-id 3,4 --wrong-id 9 --out grads \\\n"
            + "    --names blocks.0.hook_resid_pre,blocks.2.attn.hook_z")

    @Option(name: .long, help: "Hugging Face model folder (config.json, model.safetensors).")
    var model: String

    @Option(name: .long, help: "Token ids: comma-separated, rows separated by ';' (rows of equal length).")
    var tokens: String

    @Option(name: .customLong("answer-id"), help: "Correct answer id, or one per batch row (comma-separated).")
    var answerID: String

    @Option(name: .customLong("wrong-id"), help: "Wrong answer id, or one per batch row (comma-separated).")
    var wrongID: String

    @Option(name: .long, help: "Output folder (created if missing).")
    var out: String

    @Option(name: .long, help: "Comma-separated hook names (default: every hook point).")
    var names: String?

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    func run() throws {
        let transformer = try HookedTransformer(pretrained: URL(fileURLWithPath: model),
                                                processing: noProcessing ? .none : .default)
        let ids = try PatchCommand.ids(tokens, option: "--tokens")
        let batch = ids.shape[0]
        let answers = try PatchInputs.perRow(answerID, "--answer-id", batch: batch)
        let wrongs = try PatchInputs.perRow(wrongID, "--wrong-id", batch: batch)
        try PatchInputs.checkVocabulary(answers + wrongs, transformer.config.dVocabOut)
        let selection: HookNames = names.map { .names($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) } ?? .all
        let metric = try GradientMetric.logitDiff(answers: answers, wrong: wrongs)
        let run = try transformer.runWithGradients(ids, metric: metric, gradientNames: selection)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for (name, gradient) in run.gradients {
            try gradient.writeNpy(to: URL(fileURLWithPath: out).appendingPathComponent(name + ".npy").path)
        }
        for name in run.zeroGradients {
            FileHandle.standardError.write(Data("warning: the metric does not depend on \(name): its gradient is zero\n".utf8))
        }
        print("metric (mean logit[\(answerID)] - logit[\(wrongID)] at the last position) = \(run.value)")
        print("wrote \(run.gradients.count) gradient(s) to \(out)")
    }
}
