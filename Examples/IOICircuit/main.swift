// The demo model's indirect-object-identification circuit, found with EAP-IG and checked by patching:
// edge scores from 5 integrated-gradient steps over the three IOI prompt pairs, circuits of growing size,
// and the fraction of the logit difference each recovers when every edge outside it carries its corrupted value.
// Run from the repository root: swift run -c release IOICircuit
import Foundation
import Lens

let lens = try LensModel(pretrained: DemoModel.folder())
let prompts = try DemoPrompts(contentsOf: DemoModel.folder().appendingPathComponent("prompts.json"))
let ioi = prompts.cases.filter { $0.task == "ioi" }

// 1. The IOI pairs as one batch: "When Mary and John …, John gave a drink to" → " Mary" (not " John").
let clean = try Tensor.concat(ioi.map { try lens.toTokens($0.prompt) }, axis: 0)
let corrupted = try Tensor.concat(ioi.map { try lens.toTokens($0.corrupted!) }, axis: 0)
let metric = try GradientMetric.logitDiff(answers: ioi.map { try lens.toSingleToken($0.answer) },
                                          wrong: ioi.map { try lens.toSingleToken($0.wrong!) })
let model = lens.transformer

// 2. EAP-IG scores of every edge (input, heads' q/k/v inputs, MLPs, logits).
let scores = try model.edgeAttribution(clean: clean, corrupted: corrupted, metric: metric, method: .eapIG(steps: 5))
let graph = scores.graph
print("\(graph.edgeCount) edges; the ten largest EAP-IG scores:")
for (edge, score) in scores.ranked.prefix(10) {
    print("  \(graph.sourceName(edge.src)) → \(graph.destinationName(edge.dst))  \(score)")
}

// 3. Faithfulness of top-n circuits: patch every edge outside the circuit with its corrupted value.
var chosen: (Circuit, CircuitFaithfulness)?
print("\nedges kept  after pruning  fraction of the logit difference recovered")
for n in [5, 10, 20, 40, 80] {
    let circuit = try Circuit.topN(scores, n)
    let result = try model.evaluateCircuit(circuit, clean: clean, corrupted: corrupted, metric: metric.patchingMetric)
    print(String(format: "%10d  %13d  %.3f", n, circuit.edges.count, result.fraction))
    if chosen == nil, result.fraction >= 0.8 { chosen = (circuit, result) }
}
guard let (circuit, result) = chosen else {
    print("no circuit of up to 80 edges recovers 80% of the logit difference")
    exit(1)
}
print("\nsmallest circuit above 80%: \(circuit.edges.count) edges, nodes "
      + circuit.nodes.sorted().map(graph.sourceName).joined(separator: ", "))
print("logit difference: circuit \(result.circuit), full model \(result.clean), corrupted \(result.corrupted)")

// 4. A report with the circuit drawn.
var report = HTMLReport(title: "IOI circuit of the demo model", subtitle: "EAP-IG, 5 steps, \(ioi.count) prompt pairs")
report.figure(CircuitDiagram(circuit, scores: scores), caption: "Recovers \(result.fraction) of the logit difference.")
try report.write(toPath: "ioi-circuit.html")
print("wrote ioi-circuit.html")
