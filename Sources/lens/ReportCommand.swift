import ArgumentParser
import Foundation
import Lens

/// `lens report`: the whole first analysis of one prompt as an HTML report.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Run the full analysis of one prompt and answer and write a self-contained HTML report.",
        discussion: """
            Steps: the prediction, the logit lens, direct logit attribution by sublayer and by head, \
            activation patching of the residual stream (by layer and position) and of every head's output \
            (with --corrupted, a prompt of the same token length on which --wrong is the right answer), the \
            attention patterns of the most important heads and the head detector on repeated random tokens \
            (skip it with --no-heads). Prints a short summary and the report's path; --json prints the \
            findings instead.

            Examples:
              lens report --model Models/demo \\
                --prompt "The Eiffel Tower is located in" --answer Paris \\
                --wrong Pisa --corrupted "The Leaning Tower is located in"
              lens report --model path/to/gpt2 --html ioi.html \\
                --answer Mary --wrong John \\
                --prompt "When Mary and John went to the store, John gave a drink to" \\
                --corrupted "When Mary and John went to the store, Mary gave a drink to"
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var promptOptions: PromptOptions

    @Option(help: "A corrupted prompt of the same token length, for activation patching.")
    var corrupted: String?

    @Option(help: "The report file.")
    var html = "lens-report.html"

    @Option(help: "Heads whose attention is shown.")
    var heads = 4

    @Flag(name: .customLong("no-heads"), help: "Skip the head detector.")
    var noHeads = false

    @Flag(help: "Print the findings as JSON instead of the summary.")
    var json = false

    /// The JSON output.
    struct Findings: Encodable {
        let analysis: PromptAnalysis
        let heads: HeadScan?
    }

    func validate() throws {
        guard heads >= 0 else { throw ValidationError("--heads must not be negative") }
    }

    func run() throws {
        let lens = try modelOptions.load()
        let analysis = try lens.analyse(promptOptions.promptCase(corrupted: corrupted), headCount: heads)
        let length = min(50, (lens.transformer.config.nCtx - 1) / 2)
        let scan = noHeads || length < 2
            ? nil : try lens.transformer.headScan(length: length, batch: 10, bos: lens.tokenizer?.bosTokenId)
        var report = HTMLReport(title: "SwiftLens report", subtitle: "\(modelOptions.model) · \(analysis.headline)")
        report.preformatted(([analysis.headline] + analysis.summaryLines).joined(separator: "\n"))
        report.add(analysis.reportSection(title: analysis.headline))
        if let scan { report.add(scan.reportSection()) }
        try report.write(toPath: html)
        if json { return try printJSON(Findings(analysis: analysis, heads: scan)) }
        print(analysis.headline)
        print(analysis.summaryLines.joined(separator: "\n"))
        if let scan {
            let best = scan.bestInductionHead
            print("  heads       best induction head \(best.head) (score \(fixed(best.score)))")
        }
        print("Report: \(URL(fileURLWithPath: html).standardizedFileURL.path)")
    }
}
