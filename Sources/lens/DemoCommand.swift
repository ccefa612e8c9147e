import ArgumentParser
import Foundation
import Lens

/// `lens demo`: the first analysis of the demo model that ships with the repository.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Look inside the small demo transformer that ships in Models/demo and write an HTML report.",
        discussion: """
            Runs the whole first analysis on the demo model with its prompts (Models/demo/prompts.json): \
            what it predicts for factual recall, sentiment and indirect-object prompts and on repeated random \
            tokens; then for one prompt of each task the logit lens, direct logit attribution by layer and \
            by head, activation patching of the residual stream and of the heads, and the attention of the top \
            heads; the head detector (previous-token, duplicate-token and induction heads); and the demo SAE \
            (Models/demo/sae): its most active features on the prompts, their dashboards from a scan of \
            Models/demo/corpus.txt, and steering with one feature. Prints a short \
            summary and writes a self-contained HTML report (no network needed to open it).

            The model is Models/demo under the current directory or under the package root; --model DIR \
            points elsewhere (with a prompts.json in the same format, or --prompts FILE).

            Examples:
              swift run -c release lens demo
              lens demo --out /tmp/demo.html
              lens demo --json > findings.json
            """)

    @Option(help: "Model folder (default: Models/demo).")
    var model: String?

    @Option(help: "Prompts file (default: prompts.json in the model folder).")
    var prompts: String?

    @Option(help: "The HTML report to write.")
    var out = "lens-demo-report.html"

    @Flag(help: "Print the findings as JSON instead of the summary.")
    var json = false

    func run() throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let folder = try model.map { URL(fileURLWithPath: $0) } ?? DemoModel.folder()
        let lens = try loadModel(folder: folder)
        let promptsFile = prompts.map { URL(fileURLWithPath: $0) } ?? folder.appendingPathComponent("prompts.json")
        let findings = try lens.runDemo(prompts: DemoPrompts(contentsOf: promptsFile), modelName: folder.lastPathComponent,
                                        features: DemoFeatureSetup.standard(modelFolder: folder))
        try findings.report().write(toPath: out)
        if json { return try printJSON(findings) }
        print(findings.summary)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("\nReport: \(URL(fileURLWithPath: out).standardizedFileURL.path) (\(String(format: "%.1f", seconds)) s)")
    }
}
