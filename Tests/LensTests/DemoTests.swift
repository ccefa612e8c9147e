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

    /// Tasks whose prompts the model card says the model answers (top-1 accuracy 1.0 on facts).
    static let answeredTasks: Set<String> = ["facts"]

    /// The model card's best induction-head score is 0.020 (head 3.2); this checkpoint has no induction head.
    static let inductionScoreFloor: Float = 0.01

    /// One run of the workflow shared by the tests.
    static let run: Result<DemoFindings, any Error> = Result {
        let model = try LensModel(pretrained: folder)
        var prompts = try DemoPrompts(contentsOf: folder.appendingPathComponent("prompts.json"))
        prompts.induction.batch = 4
        return try model.runDemo(prompts: prompts, modelName: "demo", showProgress: false)
    }

    @Test func predictsTheAnswersTheModelCardReports() throws {
        let findings = try Self.run.get()
        let prompts = try DemoPrompts(contentsOf: Self.folder.appendingPathComponent("prompts.json"))
        #expect(findings.behaviours.map(\.promptCase) == prompts.cases)
        #expect(findings.analyses.map(\.promptCase.task) == prompts.tasks)
        for b in findings.behaviours where Self.answeredTasks.contains(b.promptCase.task) {
            #expect(b.predictsAnswer, "\(b.promptCase.prompt) → \(b.prediction.top.first?.token ?? "")")
            #expect(b.logitDiff > 0 && b.corruptedLogitDiff < 0, "\(b.promptCase.prompt)")
        }
        #expect(findings.summary.contains("✓ facts      \"The Eiffel Tower is located in\" → ' Paris'"))
    }

    /// The strongest `resid_pre` cell is the grid's maximum and the summary names it; patching layer 0 at a
    /// single differing token restores the clean run (1 ± 1e-3) and at the shared tokens changes nothing
    /// (0 ± 1e-3); the strongest position is the differing token at layer 0 and the last token at the last layer.
    @Test func patchingTopCellIsWhereTheSummarySays() throws {
        let findings = try Self.run.get()
        for analysis in findings.analyses {
            let patching = try #require(analysis.patching)
            let flat = patching.residPre.flatMap { $0 }
            let best = flat.indices.max { flat[$0] < flat[$1] }!
            let cell = patching.topResidCell
            let width = analysis.tokens.count
            #expect(cell.value == flat[best])
            #expect(findings.summary.contains("strongest resid_pre cell: layer \(cell.layer), pos \(cell.position) "
                                              + "'\(analysis.tokens[cell.position])'"))
            let prompt = try LensModel(pretrained: Self.folder).tokenize(analysis.promptCase)
            let differing = prompt.differingPositions
            for (p, value) in patching.residPre[0].enumerated() where differing.count == 1 || !differing.contains(p) {
                #expect(abs(value - (differing.contains(p) ? 1 : 0)) < 1e-3, "layer 0 pos \(p) of \(analysis.headline)")
            }
            #expect(patching.topPositionPerLayer.first.map(differing.contains) == true)
            #expect(patching.topPositionPerLayer.last == width - 1, "\(analysis.headline)")
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
            #expect(analysis.attention.map(\.head) == patching.topHeads(4))
        }
    }

    @Test func findsTheInductionHead() throws {
        let heads = try Self.run.get().heads
        let best = heads.bestInductionHead
        #expect(best.score > Self.inductionScoreFloor)
        #expect(best.score == heads.inductionStripe.flatMap { $0 }.max())
        #expect(try Self.run.get().summary.contains("best induction head      \(best.head)"))
    }

    @Test func reportIsWellFormedWithEverySection() throws {
        let findings = try Self.run.get()
        let html = findings.report().html()
        #expect(ReportXML.parse(html) == nil)
        for title in ["What the model predicts", "facts: The Eiffel Tower is located in → Paris", "Logit lens",
                      "Direct logit attribution", "Activation patching", "Attention of the top heads",
                      "Induction and the head detector"] {
            let found = html.contains(title)
            #expect(found, "missing \(title)")
        }
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "the report must not load anything")
    }
}
