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

    @OptionGroup var weights: WeightsOption

    /// Timing for Benchmarks/: best of this many runs of a plain forward, the recording forward, the backward
    /// pass alone, and all-hook gradient runs, printed as JSON (nothing is written).
    @Option(name: .customLong("benchmark-repeats"), help: .hidden)
    var benchmarkRepeats: Int?

    func run() throws {
        let transformer = try HookedTransformer(pretrained: URL(fileURLWithPath: model),
                                                processing: noProcessing ? .none : .default,
                                                precision: weights.precision)
        let ids = try PatchCommand.ids(tokens, option: "--tokens")
        let batch = ids.shape[0]
        let answers = try PatchInputs.perRow(answerID, "--answer-id", batch: batch)
        let wrongs = try PatchInputs.perRow(wrongID, "--wrong-id", batch: batch)
        try PatchInputs.checkVocabulary(answers + wrongs, transformer.config.dVocabOut)
        let selection: HookNames = names.map { .names($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) } ?? .all
        let metric = try GradientMetric.logitDiff(answers: answers, wrong: wrongs)
        if let benchmarkRepeats { return try benchmark(transformer, ids, metric, max(1, benchmarkRepeats)) }
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

    /// Best wall times (seconds) of the forward and backward passes and of gradient runs at every hook point.
    private func benchmark(_ model: HookedTransformer, _ ids: Tensor, _ metric: GradientMetric, _ repeats: Int) throws {
        func best(_ body: () throws -> Void) rethrows -> Double {
            var fastest = Double.infinity
            for _ in 0..<repeats {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            return fastest
        }
        let forward = try best { _ = try model.forward(tokens: ids) }
        let recording = try best { _ = try model.forwardForBackward(tokens: ids) }
        var backward = Double.infinity
        for _ in 0..<repeats {
            let pass = try model.forwardForBackward(tokens: ids)
            let gradient = try metric(pass.logits).gradient
            let start = DispatchTime.now().uptimeNanoseconds
            try model.backward(pass, logitsGradient: gradient)
            backward = min(backward, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let inclBackward = try best { _ = try model.runWithCache(ids, inclBackward: metric) }
        let gradientsOnly = try best { _ = try model.runWithGradients(ids, metric: metric) }
        let bytes = try model.forwardForBackward(tokens: ids).recordedBytes
        print("{\"forward_seconds\": \(forward), \"recording_forward_seconds\": \(recording), "
              + "\"backward_seconds\": \(backward), \"run_with_cache_incl_bwd_seconds\": \(inclBackward), "
              + "\"gradients_all_hooks_seconds\": \(gradientsOnly), \"recorded_bytes\": \(bytes)}")
    }
}
