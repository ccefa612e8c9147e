import ArgumentParser
import Foundation
import Lens

/// `lens generate`: continues a prompt with a Hugging Face model folder and its `tokenizer.json`.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a text prompt and print the prompt with its completion.",
        discussion: "Tokenizes with DIR/tokenizer.json (adding its special tokens, such as a BOS template), then "
            + "samples with a key/value cache. Temperature 0 is greedy; generation stops at the model's "
            + "end-of-sequence token.")

    @Option(name: .long, help: "Hugging Face model folder (config.json, model.safetensors, tokenizer.json).")
    var model: String

    @Option(name: .long, help: "Text to continue.")
    var prompt: String

    @Option(name: .customLong("max-new-tokens"), help: "Most tokens to add.")
    var maxNewTokens = 20

    @Option(name: .long, help: "Sampling temperature (0 = greedy).")
    var temperature: Float = 1

    @Option(name: .customLong("top-k"), help: "Sample among the k most likely tokens.")
    var topK: Int?

    @Option(name: .customLong("top-p"), help: "Sample among the most likely tokens covering probability p.")
    var topP: Float?

    @Option(name: .long, help: "Random seed (the same seed gives the same completion).")
    var seed: UInt64 = 0

    @OptionGroup var weights: WeightsOption

    func validate() throws {
        guard maxNewTokens >= 0 else { throw ValidationError("--max-new-tokens must not be negative") }
        do { try SamplingOptions(temperature: temperature, topK: topK, topP: topP).validate() } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() throws {
        let folder = URL(fileURLWithPath: model)
        let tokenizer = try Tokenizer(contentsOf: folder.appendingPathComponent("tokenizer.json"))
        let transformer = try HookedTransformer(pretrained: folder, precision: weights.precision)
        let ids = tokenizer.encode(prompt)
        guard !ids.isEmpty else { throw ValidationError("--prompt encodes to no tokens") }
        let eos = transformer.config.eosTokenIDs.isEmpty ? tokenizer.eosTokenId.map { [$0] } : nil
        let options = GenerationOptions(
            maxNewTokens: maxNewTokens, sampling: SamplingOptions(temperature: temperature, topK: topK, topP: topP),
            seed: seed, eosTokenIDs: eos)
        let tokens = try transformer.generate([ids], options: options)[0]
        print(tokenizer.decode(tokens, skipSpecialTokens: true))
    }
}
