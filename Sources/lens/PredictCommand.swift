import ArgumentParser
import Foundation
import Lens

/// `lens predict`: TransformerLens's `test_prompt` from the command line.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print how a model ranks an answer after a prompt (TransformerLens test_prompt).",
        discussion: """
            Tokenizes with DIR/tokenizer.json (prompt with BOS, answer without; a space is put in front of the \
            answer unless --no-prepend-space). For each answer token prints its rank, logit and probability and \
            the top-k predictions, then the ranks of all answer tokens.

            Examples:
              lens predict --model Models/demo \\
                --prompt "The Eiffel Tower is located in" --answer Paris
              lens predict --model Models/demo --top-k 3 --json \\
                --prompt "I love this movie because it is" --answer great
            """)

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

    @OptionGroup var weights: WeightsOption

    @Flag(help: "Print JSON (tokens, and per answer token its rank, logit, probability and top tokens).")
    var json = false

    func validate() throws {
        guard topK >= 0 else { throw ValidationError("--top-k must not be negative") }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: model)
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("tokenizer.json").path) else {
            throw ValidationError("--model: \(model) has no tokenizer.json")
        }
        let lens = try LensModel(pretrained: folder, processing: noProcessing ? .none : .default,
                                                precision: weights.precision)
        guard json, let tokenizer = lens.tokenizer else {
            try lens.testPrompt(prompt, answer: answer, prependSpaceToAnswer: !noPrependSpace, topK: topK)
            return
        }
        let text = noPrependSpace || answer.hasPrefix(" ") ? answer : " " + answer
        let result = try lens.testPrompt(promptTokens: tokenizer.toTokens(prompt, prependBOS: true),
                                         answerTokens: [tokenizer.toTokens(text, prependBOS: false)], topK: topK)
        try printJSON(PredictionJSON(result))
    }
}

/// `lens predict --json`: the `test_prompt` result.
struct PredictionJSON: Encodable {
    /// A scored token.
    struct Token: Encodable {
        let token: String, id: Int, rank: Int, logit: Float, probability: Float
        init(_ s: TestPromptResult.Scored) {
            (token, id, rank, logit, probability) = (s.text, s.token, s.rank, s.logit, s.probability)
        }
    }

    /// One answer position: the answer token and the top predictions.
    struct Position: Encodable {
        let answer: Token
        let top: [Token]
    }

    let promptTokens: [String]
    let answerTokens: [String]
    let positions: [Position]

    init(_ result: TestPromptResult) {
        promptTokens = result.promptTokens
        answerTokens = result.answerTokens[0]
        positions = result.positions.map { Position(answer: Token($0.answers[0]), top: $0.top.map(Token.init)) }
    }
}
