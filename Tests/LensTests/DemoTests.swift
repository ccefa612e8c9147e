import Foundation
import Testing
@testable import Lens

/// The demo workflow run in-process on the embedded model (`Models/demo`), with its findings asserted.
/// The head detector runs on 4 of the 20 repeated sequences to keep the debug build fast; everything else is
/// exactly what `lens demo` runs.
@Suite struct DemoTests {
    /// `Models/demo` of this repository.
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Models/demo")

    /// Tasks whose answers the model card reports as top-1 (factual recall: 0.98 on the training templates;
    /// IOI: 0.99 on held-out name pairs).
    static let predictedTasks: Set<String> = ["facts", "ioi"]

    /// Tasks where the model card reports the right answer beating the wrong one (sentiment: 1.0 on held-out
    /// verb/noun pairs; IOI: 0.99), so the answer must beat the wrong answer.
    static let preferredTasks: Set<String> = ["facts", "sentiment", "ioi"]

    /// The model card's best induction head: 1.3, score 0.908 on 20 × 50 repeated tokens. The test runs 4 of
    /// those sequences, so it asserts the head and a floor a little below the card's figure.
    static let inductionHead = AttentionHead(layer: 1, head: 3)
    static let inductionScoreFloor: Float = 0.85

    /// One run of the workflow shared by the tests.
    static let run: Result<DemoFindings, any Error> = Result {
        let model = try LensModel(pretrained: folder)
        var prompts = try DemoPrompts(contentsOf: folder.appendingPathComponent("prompts.json"))
        prompts.induction.batch = 4
        // The SAE's cards come from 2 batches of 16 contexts of the demo corpus (the whole corpus in lens demo).
        var features = try #require(DemoFeatureSetup.standard(modelFolder: folder))
        features.maxBatches = 2
        return try model.runDemo(prompts: prompts, modelName: "demo", features: features, showProgress: false)
    }

    @Test func predictsTheAnswersTheModelCardReports() throws {
        let findings = try Self.run.get()
        let prompts = try DemoPrompts(contentsOf: Self.folder.appendingPathComponent("prompts.json"))
        #expect(findings.behaviours.map(\.promptCase) == prompts.cases)
        #expect(findings.analyses.map(\.promptCase.task) == prompts.tasks)
        for b in findings.behaviours {
            let task = b.promptCase.task
            #expect(b.predictsAnswer || !Self.predictedTasks.contains(task), "\(b.promptCase.prompt) → \(b.prediction.top[0].token)")
            #expect(b.prefersAnswer && b.corruptedLogitDiff < 0 || !Self.preferredTasks.contains(task), "\(b.promptCase.prompt)")
            let mark = b.predictsAnswer ? "✓" : "✗"
            #expect(findings.summary.contains("\(mark) \(task.padding(toLength: 9, withPad: " ", startingAt: 0))  \"\(b.promptCase.prompt)\""))
        }
        #expect(findings.summary.contains("✓ facts      \"The Eiffel Tower is located in\" → ' Paris'"))
        // A prompt whose answer beats the wrong answer but is not the top prediction is not marked correct.
        let runnerUp = try #require(findings.behaviours.first { !$0.predictsAnswer && $0.prefersAnswer })
        #expect(findings.summary.contains("✗ \(runnerUp.promptCase.task.padding(toLength: 9, withPad: " ", startingAt: 0))  "
                                          + "\"\(runnerUp.promptCase.prompt)\""))
        #expect(findings.summary.contains("'\(runnerUp.promptCase.answer)' has rank \(runnerUp.prediction.answerRank)"))
    }

    /// The strongest `resid_pre` cell is the grid's maximum and the summary names it; patching layer 0 at a
    /// single differing token restores the clean run (1 ± 1e-3) and at the shared tokens changes nothing
    /// (0 ± 1e-3); the route the summary prints starts at the differing token.
    @Test func patchingTopCellIsWhereTheSummarySays() throws {
        let findings = try Self.run.get()
        for analysis in findings.analyses {
            let patching = try #require(analysis.patching)
            let flat = patching.residPre.flatMap { $0 }
            let best = flat.indices.max { flat[$0] < flat[$1] }!
            let cell = patching.topResidCell
            #expect(cell.value == flat[best])
            #expect(findings.summary.contains("strongest resid_pre cell: layer \(cell.layer), pos \(cell.position) "
                                              + "'\(analysis.tokens[cell.position])'"))
            let prompt = try LensModel(pretrained: Self.folder).tokenize(analysis.promptCase)
            let differing = prompt.differingPositions
            for (p, value) in patching.residPre[0].enumerated() where differing.count == 1 || !differing.contains(p) {
                #expect(abs(value - (differing.contains(p) ? 1 : 0)) < 1e-3, "layer 0 pos \(p) of \(analysis.headline)")
            }
            #expect(patching.topPositionPerLayer.first.map(differing.contains) == true)
            #expect(findings.summary.contains("resid_pre: " + PatchingRoute(patching).description(tokens: analysis.tokens)))
        }
    }

    @Test func stepsAgreeWithEachOther() throws {
        let findings = try Self.run.get()
        for analysis in findings.analyses {
            let behaviour = try #require(findings.behaviours.first { $0.promptCase == analysis.promptCase })
            let patching = try #require(analysis.patching)
            // Tolerance 1e-3: the same logits through the cached and the plain forward pass.
            #expect(abs(patching.cleanMetric - behaviour.logitDiff) < 1e-3)
            #expect(abs(patching.corruptedMetric - behaviour.corruptedLogitDiff) < 1e-3)
            let final = try #require(analysis.logitLens.rows.last)
            #expect(final.label == "final_post" && final.answerRank == analysis.prediction.answerRank)
            #expect(abs(final.answerLogit - analysis.prediction.answerLogit) < 1e-3)
            #expect(analysis.headsByPatching.map(\.head) == patching.topHeads(4))
            #expect(analysis.headsByAttribution.map(\.head) == analysis.attribution.topHeads(4))
            // Before the first token where the prompts differ, clean and corrupted activations are equal, so
            // patching attn_out, mlp_out or a head there changes nothing (tolerance 1e-4).
            #expect(patching.attnOut.count == patching.residPre.count && patching.mlpOut[0].count == analysis.tokens.count)
            #expect(patching.headsByPosition.count == patching.heads.count
                    && patching.headsByPosition[0].count == analysis.tokens.count)
            let prompt = try LensModel(pretrained: Self.folder).tokenize(analysis.promptCase)
            let first = try #require(prompt.differingPositions.first)
            for layer in patching.attnOut.indices {
                for p in 0..<first {
                    #expect(abs(patching.attnOut[layer][p]) < 1e-4 && abs(patching.mlpOut[layer][p]) < 1e-4)
                    #expect(patching.headsByPosition[layer][p].allSatisfy { abs($0) < 1e-4 })
                }
            }
            // At the differing token some sublayer of layer 0 carries the difference.
            #expect(abs(patching.attnOut[0][first]) + abs(patching.mlpOut[0][first]) > 1e-3)
        }
    }

    @Test func findsTheInductionHead() throws {
        let heads = try Self.run.get().heads
        let best = heads.bestInductionHead
        #expect(best.head == Self.inductionHead)
        #expect(best.score > Self.inductionScoreFloor, "\(best.score)")
        #expect(best.score == heads.inductionStripe.flatMap { $0 }.max())
        #expect(try Self.run.get().summary.contains("best induction head      \(best.head)"))
        // mean of 1/(L+2+k) over k < L = 50, computed exactly in Python: 0.0135693065; tolerance 1e-6
        #expect(abs(heads.uniformInductionScore - 0.013_569_306_5) < 1e-6)
    }

    /// The demo SAE (`Models/demo/sae`): active features at the end of every prompt, cards whose top example is the
    /// feature's max over the scanned contexts, and the steering example of `steering.json` turning the greedy
    /// continuation of "I hate this movie because it is" into its target.
    @Test func saeFeaturesAndSteering() throws {
        let findings = try Self.run.get()
        let features = try #require(findings.features)
        #expect(features.features == 1024 && features.hook == "blocks.1.hook_resid_post" && features.contexts == 32)
        #expect(features.prompts.count == findings.behaviours.count && features.prompts.allSatisfy { !$0.top.isEmpty })
        #expect(!features.cards.isEmpty && features.cards.count == features.summaries.count)
        for card in features.cards {
            let top = try #require(card.top.first)
            #expect(top.value == card.summary.max && top.activations[top.position - top.windowStart] == top.value)
            #expect(card.logitEffects?.boosted.count == 10)
        }
        let steering = try #require(features.steering)
        #expect(steering.plain != steering.steered)
        #expect(steering.steered.hasPrefix(" great"), "\(steering.steered)")
        #expect(findings.summary.contains("steering: 'I hate this movie because it is'"))
    }

    @Test func reportIsWellFormedWithEverySection() throws {
        let findings = try Self.run.get()
        let html = findings.report().html()
        #expect(ReportXML.parse(html) == nil)
        for title in ["What the model predicts", "facts: The Eiffel Tower is located in → Paris", "Logit lens",
                      "Logit difference at each layer", "Direct logit attribution", "Activation patching",
                      "Attention and MLP outputs: attn_out", "Attention and MLP outputs: mlp_out",
                      "Head outputs by position (z)", "Heads with the largest |direct logit attribution|",
                      "Heads whose patching restores the most", "Induction and the head detector", "SAE features"] {
            let found = html.contains(title)
            #expect(found, "missing \(title)")
        }
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "the report must not load anything")
    }
}
