import ArgumentParser
import Foundation
import Lens

/// `lens attention`: attention patterns of chosen heads on a prompt.
struct AttentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attention",
        abstract: "Attention patterns of chosen heads on a prompt, as an HTML viewer, .npy or text.",
        discussion: """
            Runs the prompt (with BOS) and reads blocks.L.attn.hook_pattern of each head. --html writes a \
            self-contained page with the heads side by side (hover shows the source and destination tokens \
            and the weight); --out writes float32 [heads, dest, src]; without them each head's strongest \
            source for every destination is printed.

            Examples:
              lens attention --model Models/demo --head 2.1 --head 3.0 \\
                --html attention.html \\
                --prompt "When Mary and John went to the store, John gave a drink to"
              lens attention --model Models/demo --layer 0 --out layer0.npy \\
                --prompt "The Eiffel Tower is located in"
              lens attention --model Models/demo --head L1H2 --json \\
                --prompt "Big Ben is located in"
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(help: "The prompt text (BOS is prepended).")
    var prompt: String

    @Option(name: .long, help: "A head as LAYER.HEAD or L<layer>H<head>, e.g. 1.2 or L1H2 (repeatable).")
    var head: [String] = []

    @Option(name: .long, help: "A layer whose heads are all shown (repeatable).")
    var layer: [Int] = []

    @Option(help: "Write an HTML attention viewer to this file.")
    var html: String?

    @Option(help: "Write the patterns [heads, dest, src] as float32 .npy.")
    var out: String?

    @Flag(help: "Print JSON (tokens and patterns) instead of text.")
    var json = false

    func validate() throws {
        guard !head.isEmpty || !layer.isEmpty else { throw ValidationError("give at least one --head or --layer") }
        for text in head where AttentionHead(parsing: text) == nil {
            throw ValidationError("--head \(text): expected LAYER.HEAD or L<layer>H<head>, e.g. 1.2 or L1H2")
        }
    }

    /// The JSON output.
    struct Output: Encodable {
        let tokens: [String]
        let heads: [PromptAnalysis.HeadPattern]
    }

    func run() throws {
        let lens = try modelOptions.load()
        let config = lens.transformer.config
        var heads = head.compactMap(AttentionHead.init(parsing:))
        for l in layer {
            guard (0..<config.nLayers).contains(l) else { throw WorkflowError.unknownLayer(l, layers: config.nLayers) }
            heads += (0..<config.nHeads).map { AttentionHead(layer: l, head: $0) }
        }
        for h in heads { try h.validate(in: config) }
        let tokens = try lens.toTokens(prompt)
        let strTokens = try lens.toStrTokens(tokens.intScalars)
        let layers = Set(heads.map(\.layer)).sorted().map { getActName("pattern", layer: $0) }
        let (_, cache) = try lens.runWithCache(tokens, names: .names(layers))
        let patterns = try heads.map { try cache["pattern", $0.layer][0, $0.head] }
        if let html {
            var report = HTMLReport(title: "Attention patterns", subtitle: prompt)
            report.figure(AttentionViewer(tokens: strTokens, patterns: Tensor.stack(patterns, axis: 0),
                                          headNames: heads.map(\.description)))
            try report.write(toPath: html)
            FileHandle.standardError.write(Data("wrote \(html)\n".utf8))
        }
        if let out { try writeNpy(Tensor.stack(patterns, axis: 0), to: out) }
        if json {
            return try printJSON(Output(tokens: strTokens, heads: zip(heads, patterns).map {
                PromptAnalysis.HeadPattern(head: $0, pattern: $1.rowArrays)
            }))
        }
        guard html == nil, out == nil else { return }
        for (h, pattern) in zip(heads, patterns) {
            print("\(h): strongest source of each destination")
            let rows = pattern.rowArrays.enumerated().map { dest, weights -> [String] in
                let src = weights.indices.max { weights[$0] < weights[$1] } ?? 0
                return [String(dest), show(strTokens[dest]), String(src), show(strTokens[src]), fixed(weights[src], 3)]
            }
            print(table(["dest", "token", "src", "token", "weight"], rows))
        }
    }
}
