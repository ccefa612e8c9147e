import ArgumentParser
import Foundation
import Lens

/// `lens predict`: TransformerLens's `test_prompt` from the command line.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print how a model ranks an answer after a prompt (TransformerLens test_prompt).",
        discussion: "Tokenizes with DIR/tokenizer.json (prompt with BOS, answer without; a space is put in front "
            + "of the answer unless --no-prepend-space). For each answer token prints its rank, logit and "
            + "probability and the top-k predictions, then the ranks of all answer tokens.")

    @Option(name: .long, help: "Hugging Face model folder (config.json, model.safetensors, tokenizer.json).")
    var model: String

    @Option(name: .long, help: "The prompt text.")
    var prompt: String

    @Option(name: .long, help: "The expected continuation.")
    var answer: String

    @Option(name: .customLong("top-k"), help: "Top predictions to list per answer token.")
    var topK = 10

    @Flag(name: .customLong("no-prepend-space"), help: "Use the answer exactly as given.")
    var noPrependSpace = false

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    func validate() throws {
        guard topK >= 0 else { throw ValidationError("--top-k must not be negative") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: model)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("tokenizer.json").path) else {
            throw ValidationError("--model: \(model) has no tokenizer.json")
        }
        let lens = try LensModel(pretrained: folder, processing: noProcessing ? .none : .default)
        try lens.testPrompt(prompt, answer: answer, prependSpaceToAnswer: !noPrependSpace, topK: topK)
    }
}
