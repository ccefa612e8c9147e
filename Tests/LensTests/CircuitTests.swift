import Foundation
import Lens
import Testing

/// EAP / EAP-IG edge scores, circuit selection and faithfulness against the EAP-IG library
/// (Scripts/fixtures/eap_ig.py, gpt2 fixture), and integrated gradients' completeness.
@Suite struct CircuitTests {
    static let folder = LensFixture.fixtures.appendingPathComponent("gradients/eap")

    struct Setup {
        let model: HookedTransformer
        let clean: Tensor, corrupted: Tensor
        let metric: GradientMetric

        init() throws {
            model = try LensFixture.model("gpt2", processed: true)
            clean = try LensFixture.tokens("gpt2")
            var ids = clean.intScalars
            let vocab = model.config.dVocab
            for b in 0..<2 { for p in [2, 4] { ids[b * 7 + p] = (ids[b * 7 + p] + vocab / 2) % vocab } }
            corrupted = Tensor(ints: ids, shape: [2, 7])
            metric = try .logitDiff(answers: [3, 3], wrong: [5, 5])
        }
    }

    static func reference(_ file: String) throws -> Tensor {
        try Tensor(npyContentsOf: folder.appendingPathComponent(file + ".npy").path)
    }

    static func scaled(_ a: Tensor, _ b: Tensor) -> Float { (a - b).abs().max().item() / max(1, b.abs().max().item()) }

    /// EAP and EAP-IG (5 steps) scores equal the EAP-IG library's within 1e-4, in its layout.
    @Test func scoresMatchTheEAPIGLibrary() throws {
        let s = try Setup()
        let eap = try s.model.edgeAttribution(clean: s.clean, corrupted: s.corrupted, metric: s.metric, method: .eap)
        #expect(Self.scaled(eap.scores, try Self.reference("scores_eap")) < 1e-4)
        let ig = try s.model.edgeAttribution(clean: s.clean, corrupted: s.corrupted, metric: s.metric,
                                             method: .eapIG(steps: 5), stepsPerPass: 2)
        #expect(Self.scaled(ig.scores, try Self.reference("scores_eap_ig5")) < 1e-4)
    }

    /// Top-20 selection gives the library's pruned circuit, and patching every edge outside it gives the library's
    /// metric within 1e-4; the full circuit recovers the clean metric and the empty one the corrupted metric.
    @Test func circuitSelectionAndFaithfulnessMatchTheLibrary() throws {
        let s = try Setup()
        let scores = try s.model.edgeAttribution(clean: s.clean, corrupted: s.corrupted, metric: s.metric)
        let circuit = try Circuit.topN(scores, 20)
        let inGraph = try Self.reference("circuit_in_graph").scalars, n = scores.graph.destinationCount
        let expected = Set(inGraph.indices.filter { inGraph[$0] == 1 }.map { CircuitEdge($0 / n, $0 % n) })
        #expect(circuit.edges == expected)
        let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: Self.folder.appendingPathComponent("eval.json"))) as! [String: Any]
        let result = try s.model.evaluateCircuit(circuit, clean: s.clean, corrupted: s.corrupted, metric: s.metric.patchingMetric)
        #expect(Swift.abs(result.circuit - Float(evaluation["circuit"] as! Double)) < 1e-4)
        #expect(Swift.abs(result.clean - Float(evaluation["clean"] as! Double)) < 1e-4)
        #expect(Swift.abs(result.corrupted - Float(evaluation["corrupted"] as! Double)) < 1e-4)
        let graph = scores.graph
        let all = Set((0..<graph.destinationCount).flatMap { d in (0..<graph.sourcesBefore(destination: d)).map { CircuitEdge($0, d) } })
        let full = try s.model.evaluateCircuit(Circuit(graph: graph, edges: all), clean: s.clean, corrupted: s.corrupted,
                                               metric: s.metric.patchingMetric)
        #expect(Swift.abs(full.fraction - 1) < 1e-4)
        let none = try s.model.evaluateCircuit(Circuit(graph: graph, edges: []), clean: s.clean, corrupted: s.corrupted,
                                               metric: s.metric.patchingMetric)
        #expect(Swift.abs(none.fraction) < 1e-4)
    }

    /// On a grouped-query model (llama: key/value destinations per key/value head) and a parallel one (gpt_neox),
    /// the full circuit reproduces the clean run and the empty one the corrupted run.
    @Test(arguments: ["llama", "gpt_neox"])
    func fullAndEmptyCircuits(name: String) throws {
        let model = try LensFixture.model(name, processed: true)
        let clean = try LensFixture.tokens(name)
        var ids = clean.intScalars
        for b in 0..<2 { ids[b * 7 + 3] = (ids[b * 7 + 3] + 50) % model.config.dVocab }
        let corrupted = Tensor(ints: ids, shape: [2, 7])
        let metric = try GradientMetric.logitDiff(answers: [3, 3], wrong: [5, 5])
        let scores = try model.edgeAttribution(clean: clean, corrupted: corrupted, metric: metric, method: .eap)
        let graph = scores.graph
        #expect(graph.nKeyValueHeads == model.config.keyValueHeads)
        let all = Set((0..<graph.destinationCount).flatMap { d in (0..<graph.sourcesBefore(destination: d)).map { CircuitEdge($0, d) } })
        let full = try model.evaluateCircuit(Circuit(graph: graph, edges: all), clean: clean, corrupted: corrupted,
                                             metric: metric.patchingMetric)
        #expect(Swift.abs(full.circuit - full.clean) < 1e-4 * max(1, Swift.abs(full.clean)))
        let none = try model.evaluateCircuit(Circuit(graph: graph, edges: []), clean: clean, corrupted: corrupted,
                                             metric: metric.patchingMetric)
        #expect(Swift.abs(none.circuit - none.corrupted) < 1e-4 * max(1, Swift.abs(none.corrupted)))
    }

    /// Greedy selection keeps the requested number of edges before pruning, every one reachable from the logits.
    @Test func greedySelectionGrowsFromTheLogits() throws {
        let s = try Setup()
        let scores = try s.model.edgeAttribution(clean: s.clean, corrupted: s.corrupted, metric: s.metric, method: .eap)
        let circuit = try Circuit.greedy(scores, 15)
        #expect(!circuit.edges.isEmpty && circuit.edges.count <= 15)
        #expect(circuit.edges.contains { $0.dst == scores.graph.logits })
        #expect(throws: LensError.self) { try Circuit.topN(scores, scores.graph.edgeCount + 1) }
        let svg = CircuitDiagram(circuit, scores: scores, title: "greedy").html()
        #expect(ReportXML.parse(svg) == nil, "the diagram is well-formed XML")
        #expect(ReportXML.elements(svg, named: "path").count == circuit.edges.count)
    }

    /// Integrated gradients on an activation satisfy completeness: with 64 steps the attributions sum to the exact
    /// effect of patching the whole clean activation into the corrupted run within 2% of it.
    @Test func integratedGradientsAreComplete() throws {
        let s = try Setup()
        let hook = "blocks.1.hook_resid_pre"
        let attribution = try s.model.integratedGradients(hook: hook, clean: s.clean, corrupted: s.corrupted,
                                                          metric: s.metric, steps: 64, stepsPerPass: 32)
        let cleanValue = try s.model.runWithCache(s.clean, names: [hook]).1[hook]
        let patched = try s.model.runWithHooks(s.corrupted, hooks: [(.name(hook), { _, _ in cleanValue })])
        let effect = try s.metric.patchingMetric(patched) - s.metric.patchingMetric(s.model.forward(tokens: s.corrupted))
        #expect(Swift.abs(attribution.sum().item() - effect) < 0.02 * Swift.abs(effect), "\(attribution.sum().item()) vs \(effect)")
    }
}
