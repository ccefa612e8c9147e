import ArgumentParser
import Foundation
import Lens

/// `lens attribute`: direct logit attribution by sublayer and by head.
struct AttributeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attribute",
        abstract: "Direct logit attribution of every sublayer and head to the answer (or answer vs wrong).",
        discussion: """
            Splits the final residual stream at the last position into what wrote it (TransformerLens's \
            decompose_resid: embeddings, each attention and MLP output; and stack_head_results: each head) and \
            projects each part, scaled by the cached final layer norm, onto the answer's unembedding direction \
            (minus the wrong answer's with --wrong: logit difference attribution). --out DIR writes \
            layers.npy [components] and heads.npy [n_layers, n_heads].

            Examples:
              lens attribute --model Models/demo \\
                --prompt "The Eiffel Tower is located in" --answer Paris --wrong Pisa
              lens attribute --model Models/demo --top 5 --json \\
                --prompt "I love this movie because it is" --answer great --wrong terrible
              lens attribute --model Models/demo --out dla/ \\
                --prompt "Big Ben is located in" --answer London
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions

    @Option(help: "Heads to list, largest attribution (by magnitude) first.")
    var top = 10

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    @Option(help: "Folder for layers.npy and heads.npy (created if missing).")
    var out: String?

    func validate() throws {
        guard top >= 0 else { throw ValidationError("--top must not be negative") }
    }

    func run() throws {
        let lens = try modelOptions.load()
        let prompt = try lens.tokenize(promptOptions.promptCase())
        let (_, cache) = try lens.runWithCache(prompt.tokenTensor)
        let attribution = try cache.logitAttribution(answer: prompt.answer, wrong: prompt.wrong)
        if let out {
            try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
            let folder = URL(fileURLWithPath: out)
            try writeNpy(Tensor(attribution.layerValues), to: folder.appendingPathComponent("layers.npy").path)
            try writeNpy(tensor(attribution.headValues), to: folder.appendingPathComponent("heads.npy").path)
        }
        if json { return try printJSON(attribution) }
        print("Direct logit attribution to \(prompt.metricName) at the last position")
        print(table(["sublayer", "attribution"], zip(attribution.layerLabels, attribution.layerValues).map { [$0, fixed($1)] }))
        print("")
        print(table(["head", "attribution"], attribution.topHeads(top).map {
            [$0.description, fixed(attribution.headValues[$0.layer][$0.head])]
        }))
    }
}
