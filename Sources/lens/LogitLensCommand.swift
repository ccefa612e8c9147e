import ArgumentParser
import Foundation
import Lens

/// `lens lens`: the logit lens of one prompt and answer.
struct LogitLensCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lens",
        abstract: "The logit lens: the answer's logit, probability and rank at every layer.",
        discussion: """
            Each accumulated residual stream at the last position (the embeddings, then the input of every \
            layer, then the final residual) is normalised by the final layer norm with its own statistics and \
            unembedded, as TransformerLens's cache.accumulated_resid(apply_ln=True) @ W_U does. --incl-mid adds \
            the residual between each layer's attention and MLP. --out writes those logits, \
            float32 [components, d_vocab].

            Examples:
              lens lens --model Models/demo \\
                --prompt "The Eiffel Tower is located in" --answer Paris
              lens lens --model Models/demo --incl-mid --json \\
                --prompt "The Eiffel Tower is located in" --answer Paris --wrong Pisa
              lens lens --model Models/demo --out lens.npy \\
                --prompt "Big Ben is located in" --answer London
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions

    @Flag(name: .customLong("incl-mid"), help: "Include the residual between attention and MLP of every layer.")
    var inclMid = false

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Write the logit-lens logits [components, d_vocab] as float32 .npy.")
    var out: String?

    func run() throws {
        let lens = try modelOptions.load()
        let prompt = try lens.tokenize(promptOptions.promptCase())
        let (_, cache) = try lens.runWithCache(prompt.tokenTensor)
        let text: (Int) -> String = { (try? lens.toString([$0])) ?? String($0) }
        let trace = try cache.logitLensTrace(answer: prompt.answer, wrong: prompt.wrong, inclMid: inclMid, tokenText: text)
        if let out { try writeNpy(trace.logits, to: out) }
        if json { return try printJSON(trace) }
        print("Logit lens of \(show(prompt.promptCase.answer)) after \"\(prompt.promptCase.prompt)\" "
              + "(last position \(show(prompt.strTokens.last ?? "")))")
        let diff = prompt.wrong != nil
        let headers = ["residual", "logit", "prob", "rank"] + (diff ? ["logit diff"] : []) + ["top token", "p(top)"]
        let rows = trace.rows.map { row in
            [row.label, fixed(row.answerLogit), fixed(row.answerProbability, 3), String(row.answerRank)]
                + (diff ? [fixed(row.logitDiff ?? 0)] : []) + [show(row.topToken), fixed(row.topProbability, 3)]
        }
        print(table(headers, rows))
        if let first = trace.firstTopRow {
            print("\(show(prompt.promptCase.answer)) is the top prediction from \(first.label) on.")
        } else {
            print("\(show(prompt.promptCase.answer)) is not the final top prediction.")
        }
    }
}
