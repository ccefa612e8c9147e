import ArgumentParser
import Foundation
import Lens

/// `lens circuit`: EAP / EAP-IG edge scores, a circuit and its faithfulness, with an HTML report of its graph.
struct CircuitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "circuit",
        abstract: "Find a circuit with edge attribution patching (EAP or EAP-IG) and measure its faithfulness.",
        discussion: "Scores every edge of the graph of input, attention heads (separate q, k, v inputs), MLPs and "
            + "logits by (corrupted - clean) source output times the gradient at the destination input (EAP: at the "
            + "clean run; EAP-IG: averaged over --steps runs whose embedding moves from corrupted to clean), keeps "
            + "the --top-n edges by |score| (or --greedy edges grown from the logits), prunes, and patches every "
            + "edge outside the circuit with its corrupted value to measure the fraction of the metric it recovers: "
            + "(circuit - corrupted) / (clean - corrupted). The metric is the mean over the batch of logit[answer] - "
            + "logit[wrong] at the last position. The HTML report draws the circuit with its edge scores.\n\n"
            + "Examples:\n"
            + "  lens circuit --model Models/demo --top-n 30 --html ioi-circuit.html \\\n"
            + "    --clean \"When Mary and John went to the store, John gave a drink to\" --answer \" Mary\" \\\n"
            + "    --corrupted \"When Mary and John went to the store, Mary gave a drink to\" --wrong \" John\"")

    @Option(name: .long, help: "Hugging Face model folder (config.json, model.safetensors; tokenizer.json for text).")
    var model: String

    @Option(name: .long, help: "Clean prompt text.")
    var clean: String?

    @Option(name: .long, help: "Corrupted prompt text (as many tokens as the clean one).")
    var corrupted: String?

    @Option(name: .customLong("clean-tokens"), help: "Clean token ids: comma-separated, rows separated by ';'.")
    var cleanTokens: String?

    @Option(name: .customLong("corrupted-tokens"), help: "Corrupted token ids, the same shape as the clean ones.")
    var corruptedTokens: String?

    @Option(name: .long, help: "Correct answer text (one token).")
    var answer: String?

    @Option(name: .long, help: "Wrong answer text (one token).")
    var wrong: String?

    @Option(name: .customLong("answer-id"), help: "Correct answer id, or one per batch row (comma-separated).")
    var answerID: String?

    @Option(name: .customLong("wrong-id"), help: "Wrong answer id, or one per batch row (comma-separated).")
    var wrongID: String?

    @Option(name: .long, help: "eap or eap-ig.")
    var method = "eap-ig"

    @Option(name: .long, help: "EAP-IG interpolation steps.")
    var steps = 5

    @Option(name: .customLong("top-n"), help: "Keep the n edges of largest |score| (the default, 20).")
    var topN: Int?

    @Option(name: .long, help: "Keep n edges chosen greedily from the logits up instead.")
    var greedy: Int?

    @Option(name: .long, help: "Write the HTML report here.")
    var html = "lens-circuit.html"

    @Flag(name: .long, help: "Skip TransformerLens weight processing (like from_pretrained_no_processing).")
    var noProcessing = false

    @OptionGroup var weights: WeightsOption

    @Flag(name: .long, help: "Print JSON {method, edges: [{src, dst, score}], clean, corrupted, circuit, fraction}.")
    var json = false

    /// Timing for Benchmarks/: best of this many edge-score computations, printed as JSON with the scores written
    /// to this .npy path (`--benchmark-scores`).
    @Option(name: .customLong("benchmark-repeats"), help: .hidden)
    var benchmarkRepeats: Int?

    @Option(name: .customLong("benchmark-scores"), help: .hidden)
    var benchmarkScores: String?

    func validate() throws {
        guard ["eap", "eap-ig"].contains(method) else { throw ValidationError("--method must be eap or eap-ig") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1") }
        guard topN == nil || greedy == nil else { throw ValidationError("give --top-n or --greedy, not both") }
        guard (clean != nil) == (corrupted != nil), (cleanTokens != nil) == (corruptedTokens != nil),
              (clean != nil) != (cleanTokens != nil) else {
            throw ValidationError("give either --clean and --corrupted, or --clean-tokens and --corrupted-tokens")
        }
        guard (answer != nil) == (wrong != nil), (answerID != nil) == (wrongID != nil), (answer != nil) != (answerID != nil) else {
            throw ValidationError("give either --answer and --wrong, or --answer-id and --wrong-id")
        }
    }

    func run() throws {
        let lens = try LensModel(pretrained: URL(fileURLWithPath: model), processing: noProcessing ? .none : .default,
                                                precision: weights.precision)
        let inputs = PatchInputs(model: model, clean: clean, corrupted: corrupted, cleanTokens: cleanTokens,
                                 corruptedTokens: corruptedTokens, answer: answer, wrong: wrong, answerID: answerID,
                                 wrongID: wrongID)
        let (cleanIDs, corruptedIDs) = try inputs.tokenRows(lens)
        guard cleanIDs.shape == corruptedIDs.shape else {
            throw PatchCommandError("clean and corrupted token lengths differ: \(cleanIDs.shape) vs \(corruptedIDs.shape)")
        }
        let (answers, wrongs) = try inputs.answerIDs(lens, batch: cleanIDs.shape[0])
        try PatchInputs.checkVocabulary(answers + wrongs, lens.transformer.config.dVocabOut)
        let metric = try GradientMetric.logitDiff(answers: answers, wrong: wrongs)
        let transformer = lens.transformer
        let chosen: EdgeAttributionMethod = method == "eap" ? .eap : .eapIG(steps: steps)
        if let benchmarkRepeats {
            var (fastest, scores) = (Double.infinity, Tensor(zeros: [1]))
            for _ in 0..<max(1, benchmarkRepeats) {
                let start = DispatchTime.now().uptimeNanoseconds
                scores = try transformer.edgeAttribution(clean: cleanIDs, corrupted: corruptedIDs, metric: metric,
                                                         method: chosen).scores
                fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            if let benchmarkScores { try scores.writeNpy(to: benchmarkScores) }
            return print("{\"edge_attribution_seconds\": \(fastest)}")
        }
        let scores = try transformer.edgeAttribution(clean: cleanIDs, corrupted: corruptedIDs, metric: metric, method: chosen)
        let circuit = try greedy.map { try Circuit.greedy(scores, $0) } ?? Circuit.topN(scores, topN ?? 20)
        let result = try transformer.evaluateCircuit(circuit, clean: cleanIDs, corrupted: corruptedIDs,
                                                     metric: metric.patchingMetric)
        let graph = scores.graph
        let edges = circuit.edges.map { ($0, scores.score($0.src, $0.dst)) }.sorted { abs($0.1) > abs($1.1) }
        let rows = edges.map { [graph.sourceName($0.0.src), graph.destinationName($0.0.dst), fixed($0.1, 4)] }
        let selection = greedy.map { "greedy \($0)" } ?? "top \(topN ?? 20)"
        let summary = "\(method.uppercased()) circuit (\(selection), \(circuit.edges.count) edges after pruning, "
            + "\(graph.edgeCount) in the graph): recovers \(fixed(result.fraction * 100, 1))% of the logit difference "
            + "(circuit \(fixed(result.circuit, 3)), clean \(fixed(result.clean, 3)), corrupted \(fixed(result.corrupted, 3)))"
        var report = HTMLReport(title: "SwiftLens circuit", subtitle: "\(model) · \(method.uppercased())")
        report.paragraph(summary)
        report.figure(CircuitDiagram(circuit, scores: scores, title: "Circuit edges and their scores"),
                      caption: "Blue edges raise the metric when corrupted, red ones lower it (score ≈ metric(edge "
                        + "corrupted) − metric(clean)); width grows with |score|.")
        report.table(headers: ["source", "destination", "score"], rows: rows, caption: "Edges in the circuit")
        try report.write(toPath: html)
        if json {
            return try printJSON(CircuitJSON(method: method, edges: edges.map {
                CircuitJSON.Edge(src: graph.sourceName($0.0.src), dst: graph.destinationName($0.0.dst), score: $0.1)
            }, clean: result.clean, corrupted: result.corrupted, circuit: result.circuit, fraction: result.fraction))
        }
        print(summary)
        print(table(["source", "destination", "score"], rows))
        print("wrote \(html)")
    }
}

/// `lens circuit --json`.
struct CircuitJSON: Encodable {
    struct Edge: Encodable {
        let src: String, dst: String
        let score: Float
    }
    let method: String
    let edges: [Edge]
    let clean: Float, corrupted: Float, circuit: Float, fraction: Float
}
