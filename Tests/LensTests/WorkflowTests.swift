import Foundation
import Testing
@testable import Lens

/// The analysis workflow's input checks, parsing and summaries.
@Suite struct WorkflowTests {
    static func model() throws -> LensModel { try LensModel(pretrained: DemoTests.folder) }

    @Test func tokenizeRefusesWhatCannotBeAnalysed() throws {
        let model = try Self.model()
        let pieces = try model.toStrTokens(model.toTokens(" Parisian stuff", prependBOS: false).intScalars)
        #expect(pieces.count > 1)
        #expect(throws: WorkflowError.notSingleToken(role: "answer", text: " Parisian stuff", pieces: pieces)) {
            try model.tokenize(PromptCase(prompt: "The Eiffel Tower is located in", answer: " Parisian stuff"))
        }
        #expect(throws: WorkflowError.self) {
            try model.tokenize(PromptCase(prompt: "Big Ben is located in", answer: " London", wrong: " Moscow",
                                          corrupted: "The Eiffel Tower is located in the city of"))
        }
        #expect(throws: WorkflowError.emptyPrompt) { try model.tokenize(PromptCase(prompt: "", answer: " Paris")) }
        let prompt = try model.tokenize(PromptCase(prompt: "The Eiffel Tower is located in", answer: " Paris",
                                                   wrong: " Pisa", corrupted: "The Leaning Tower is located in"))
        #expect(prompt.differingPositions == [2])
        #expect(prompt.metricName == "logit(' Paris') − logit(' Pisa')")
    }

    @Test func notSingleTokenMessageNamesThePieces() {
        let error = WorkflowError.notSingleToken(role: "answer", text: "Parisian", pieces: ["Par", "isian"])
        #expect(error.description.contains("\"Parisian\" is 2 tokens [\"Par\", \"isian\"]"))
    }

    @Test func headIndexParsing() {
        #expect(AttentionHead(parsing: "L1H2") == AttentionHead(layer: 1, head: 2))
        #expect(AttentionHead(parsing: "l10h0") == AttentionHead(layer: 10, head: 0))
        #expect(AttentionHead(parsing: "3.1") == AttentionHead(layer: 3, head: 1))
        #expect(AttentionHead(parsing: "3:1") == AttentionHead(layer: 3, head: 1))
        for bad in ["", "L1", "L1H", "1.2.3", "a.b", "-1.2", "H1L2"] { #expect(AttentionHead(parsing: bad) == nil, "\(bad)") }
        #expect(AttentionHead.top(2, of: [[0.1, -0.9], [0.5, 0.5]]) == [AttentionHead(layer: 1, head: 0), AttentionHead(layer: 1, head: 1)])
        #expect(AttentionHead.top(1, of: [[0.1, -0.9], [0.5, 0.5]], byMagnitude: true) == [AttentionHead(layer: 0, head: 1)])
    }

    @Test func demoPromptsErrorsNameTheField() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("workflow-tests-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        func message(_ text: String) -> String {
            let file = directory.appendingPathComponent("prompts.json")
            try? Data(text.utf8).write(to: file)
            do { _ = try DemoPrompts(contentsOf: file); return "" } catch { return "\(error)" }
        }
        let pair = #"{"task": "t", "clean": "a", "corrupted": "b", "wrong": " c"}"#
        #expect(message(#"{"prepend_bos": true, "pairs": [\#(pair)], "induction": {"seq_len": 5, "batch": 1, "seed": 0}}"#)
            .contains("missing field pairs[0].answer"))
        #expect(message("{").contains("is not valid JSON"))
        #expect(message(#"{"prepend_bos": true, "pairs": [], "induction": {"seq_len": 5, "batch": 1, "seed": 0}}"#)
            .contains("\"pairs\" is empty"))
        let good = #"{"task": "t", "clean": "a", "corrupted": "b", "answer": " d", "wrong": " c"}"#
        #expect(message(#"{"prepend_bos": true, "pairs": [\#(good)], "induction": {"seq_len": 20, "batch": 1000000000000, "seed": 0}}"#)
            .contains("induction.batch is 1000000000000, outside 1...1024"))
        #expect(message(#"{"prepend_bos": true, "pairs": [\#(good)], "induction": {"seq_len": -3, "batch": 1, "seed": 0}}"#)
            .contains("induction.seq_len is -3"))
        let missing = directory.appendingPathComponent("none.json")
        #expect(throws: WorkflowError.self) { try DemoPrompts(contentsOf: missing) }
        let shipped = try DemoPrompts(contentsOf: DemoTests.folder.appendingPathComponent("prompts.json"))
        #expect(shipped.tasks == ["facts", "sentiment", "ioi"] && shipped.prependBOS)
    }

    @Test func ablationChecksTargetsBeforeRunning() throws {
        let model = try Self.model()
        let prompt = try model.tokenize(PromptCase(prompt: "Big Ben is located in", answer: " London", wrong: " Moscow"))
        #expect(throws: LensError.self) { try model.ablationScan(prompt, targets: [.hook("blocks.0.hook_resid_prez")]) }
        let (layers, heads) = (model.config.nLayers, model.config.nHeads)
        #expect(throws: WorkflowError.unknownLayer(7, layers: layers)) { try model.ablationScan(prompt, targets: [.mlp(layer: 7)]) }
        #expect(throws: WorkflowError.unknownHead(layer: 1, head: 9, layers: layers, heads: heads)) {
            try model.ablationScan(prompt, targets: [.head(AttentionHead(layer: 1, head: 9))])
        }
        #expect(throws: LensError.self) {
            try model.ablationScan(prompt, targets: [.hook("blocks.0.attn.hook_pattern")], kind: .mean)
        }
    }

    /// The sweep covers every head and sublayer, each change is metric − baseline (within 1e-5), and
    /// zero-ablating the token embedding moves the logit difference by more than 1.
    @Test func ablationEffects() throws {
        let model = try Self.model()
        let prompt = try model.tokenize(PromptCase(prompt: "Big Ben is located in", answer: " London", wrong: " Moscow"))
        let config = model.transformer.config
        let sweep = try model.ablationScan(prompt, targets: AblationTarget.everyComponent(of: config), showProgress: false)
        #expect(sweep.effects.count == config.nLayers * config.nHeads + 2 * config.nLayers)
        #expect(sweep.effects[config.nHeads + 1].target == "L1H1" && sweep.effects.last?.target == "mlp \(config.nLayers - 1)")
        for effect in sweep.effects { #expect(abs(effect.change - (effect.metric - sweep.baseline)) < 1e-5) }
        let baseline = try prompt.metric(model.transformer.forward(tokens: prompt.tokenTensor))
        #expect(abs(sweep.baseline - baseline) < 1e-5)
        let embed = try model.ablationScan(prompt, targets: [.hook("hook_embed")], showProgress: false)
        #expect(abs(embed.effects[0].change) > 1)
        #expect(sweep.largest(3).map { abs($0.change) } == sweep.effects.map { abs($0.change) }.sorted(by: >).prefix(3).map { $0 })
    }

    @Test func patchingRouteFollowsTheStrongestPositions() {
        let scan = PatchingScan(cleanMetric: 2, corruptedMetric: -1,
                                residPre: [[0, 1, 0, 0], [0, 0.7, 0, 0.3], [0, 0.1, 0, 0.9], [0, 0, 0, 1]], heads: [[0]],
                                attnOut: [], mlpOut: [], headsByPosition: [])
        #expect(scan.topPositionPerLayer == [1, 1, 3, 3])
        #expect(scan.topResidCell.layer == 0 && scan.topResidCell.position == 1)
        let route = PatchingRoute(scan)
        #expect(route.description(tokens: ["<bos>", " Big", " Ben", " in"])
                == "' Big' (pos 1) in layers 0–1, then ' in' (pos 3) in layers 2–3")
    }
}
