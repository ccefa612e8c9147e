import Foundation
import Testing
import Lens

/// The Swift samples of the DocC articles (`Sources/*/*.docc/*.md`), line for line: each runs on the demo model
/// here, or — where it writes files, scans a whole corpus or needs a folder that is not in the repository — is
/// compiled only. `everyArticleLineIsHere` fails when an article shows a line that neither this file nor
/// `Tests/LensStoreTests/DocumentationSampleTests.swift` holds. The migration guide's table is checked by
/// `TransformerLensGuideTests`.
@Suite struct DocumentationSampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The lines of every ```swift block of the catalogs, trimmed, without `import` lines.
    static func articleLines() throws -> [(file: String, line: String)] {
        var lines: [(String, String)] = []
        let sources = root.appendingPathComponent("Sources")
        let catalogs = try FileManager.default.contentsOfDirectory(atPath: sources.path).flatMap { module in
            ((try? FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent(module).path)) ?? [])
                .filter { $0.hasSuffix(".docc") }.map { sources.appendingPathComponent(module).appendingPathComponent($0) }
        }
        for catalog in catalogs {
            for name in try FileManager.default.contentsOfDirectory(atPath: catalog.path) where name.hasSuffix(".md") {
                let text = try String(contentsOf: catalog.appendingPathComponent(name), encoding: .utf8)
                var inSwift = false
                for raw in text.components(separatedBy: "\n") {
                    if raw.hasPrefix("```") { inSwift = raw == "```swift" && !inSwift; continue }
                    let line = raw.trimmingCharacters(in: .whitespaces)
                    if inSwift, !line.isEmpty, !line.hasPrefix("import ") { lines.append((name, line)) }
                }
            }
        }
        return lines
    }

    @Test func everyArticleLineIsHere() throws {
        let here = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let store = try String(contentsOf: Self.root.appendingPathComponent("Tests/LensStoreTests/DocumentationSampleTests.swift"),
                               encoding: .utf8)
        let lines = try Self.articleLines()
        #expect(lines.count > 40, "no Swift samples found in the catalogs under \(Self.root.path)/Sources")
        for (file, line) in lines where !here.contains(line) && !store.contains(line) {
            Issue.record("\(file): sample line not compiled by the documentation tests: \(line)")
        }
    }

    @Test func lensAndGettingStarted() throws {
        do {
            let model = try LensModel(pretrained: DemoModel.folder())
            let tokens = try model.toTokens("The Eiffel Tower is located in")
            let (logits, cache) = try model.runWithCache(tokens)
            let paris = try model.toSingleToken(" Paris")
            let mlpPush = try cache["mlp_out", 2][0, -1].matmul(model.W_U[.all, paris]).item()
            #expect(logits.shape == [1, 7, 1500] && mlpPush > 0)
        }
        let model = try LensModel(pretrained: DemoModel.folder())
        let tokens = try model.toTokens("The Eiffel Tower is located in")   // [1, 7], BOS first
        let (logits, cache) = try model.runWithCache(tokens)
        let paris = try model.toSingleToken(" Paris")
        print(try model.toString([logits[0, -1].argmax().intScalars[0]]))    // " Paris"

        // Which sublayers push " Paris" over " Pisa" at the last position (direct logit attribution)?
        let (byLayer, names) = try cache.layerAttribution(tokens: .id(paris),
                                                          incorrectTokens: .id(try model.toSingleToken(" Pisa")),
                                                          posSlice: -1)
        for (name, value) in zip(names, byLayer.scalars) { print(name, value) }
        #expect(names.count == byLayer.count && byLayer.scalars.reduce(0, +) > 0)
    }

    @Test func hooksAndCaches() throws {
        let model = try LensModel(pretrained: DemoModel.folder())
        let tokens = try model.toTokens("The Eiffel Tower is located in")
        let (_, other) = try model.runWithCache("The Colosseum is located in")
        let patched = try model.runWithHooks(tokens, hooks: [("blocks.1.hook_resid_post", { act, hook in
            var act = act
            act[.all, -1, .all] = try other[hook.name][.all, -1, .all]
            return act
        })])
        let (logits, cache) = try model.runWithCache(tokens)
        let resid = try cache["resid_post", 2]               // blocks.2.hook_resid_post
        let headZ = try cache["z", 1][.all, .all, 2, .all]   // layer 1, head 2
        let pattern = try cache["pattern", 1][0]             // [head, query, key]
        #expect(patched.shape == logits.shape && resid.shape == [1, 7, 128] && headZ.shape == [1, 7, 32] && pattern.shape == [4, 7, 7])
    }

    @Test func patching() throws {
        let model = try LensModel(pretrained: DemoModel.folder())
        let paris = try model.toSingleToken(" Paris"), pisa = try model.toSingleToken(" Pisa")
        let clean = try model.toTokens("The Eiffel Tower is located in")
        let corrupted = try model.toTokens("The Leaning Tower is located in")
        let (cleanLogits, cleanCache) = try model.runWithCache(clean)
        let metric = try PatchingMetric.logitDiff(answers: [try model.toSingleToken(" Paris")],
                                                  wrong: [try model.toSingleToken(" Pisa")])
            .normalized(cleanLogits: cleanLogits, corruptedLogits: model(corrupted))
        let byPosition = try model.actPatch(.residPre, corruptedTokens: corrupted, cleanCache: cleanCache, metric: metric)
        let byHead = try model.actPatch(.headZAllPos, clean: clean, corrupted: corrupted, metric: metric)
        let patched = try model.runWithHooks(corrupted, hooks: [(.name(getActName("resid_pre", layer: 1)), { act, hook in
            var act = act
            act[.all, 3, .all] = try cleanCache[hook.name][.all, 3, .all]
            return act
        })])
        let gradientMetric = try GradientMetric.logitDiff(answers: [paris], wrong: [pisa])
        let estimate = try model.attributionPatch(.headZAllPos, clean: clean, corrupted: corrupted, metric: gradientMetric)
        #expect(byPosition.shape == [3, 7] && byHead.shape == [3, 4] && estimate.shape == [3, 4] && patched.shape == cleanLogits.shape)
    }

    @Test func probesSAEsAndSteering() throws {
        let model = try LensModel(pretrained: DemoModel.folder())
        let reviews = ["I love the movie because it is", "I hate the movie because it is", "We adore the book because it is",
                       "We despise the book because it is", "I enjoy the show because it is", "I loathe the show because it is"]
        let tokens = Tensor.concat(try reviews.map { try model.toTokens($0) }, axis: 0)
        let labels = [1, 0, 1, 0, 1, 0]
        let (_, cache) = try model.runWithCache(tokens)                       // tokens: [N, pos] of labelled prompts
        let x = try cache["resid_post", 2][.all, -1, .all]                     // [N, d_model]
        let (probe, report) = try ProbeFitting.logistic(x, labels: labels, l2: 1e-2)
        print(try probe.accuracy(x, labels: labels), report.converged)
        let sae = try SparseAutoencoder(folder: DemoModel.folder().appendingPathComponent("sae/blocks.1.hook_resid_post"))
        let featureActs = try sae.encode(try cache["resid_post", 1])            // [batch, pos, d_sae]
        let top = featureActs[0, -1].topk(10)
        let steering = try sae.steering(feature: 607, scale: 8)
        let generated = try model.transformer.generate([try model.toTokens("I hate this movie because it is").intScalars],
                                                       steering: [steering], options: GenerationOptions(maxNewTokens: 3))
        #expect(try probe.accuracy(x, labels: labels) == 1 && top.indices.shape == [10] && generated[0].count == 11)
    }

    /// Compiled only: it scans the whole demo corpus (seconds in a release build, too slow for a unit test).
    func scanSample(model: LensModel) throws -> UnitCard {
        let corpus = try Corpus(paths: ["Models/demo/corpus.txt"])
        let sae = try SparseAutoencoder(folder: URL(fileURLWithPath: "Models/demo/sae/blocks.1.hook_resid_post"))
        let scan = CorpusScan(units: [try SAEFeatureUnits(sae: sae)], options: ScanOptions(topK: 10),
                              packing: PackingOptions(contextLength: 64, tokenizer: model.tokenizer))
        let result = try scan.run(model: model, corpus: corpus)
        let card = result.card(set: 0, unit: 607)
        return card
    }

    /// Compiled only: it writes `report.html` in the current directory.
    func reportSample(model: LensModel, prompt: String, byPosition: Tensor, cache: ActivationCache) throws {
        var report = HTMLReport(title: "Patching on the demo model")
        report.section("Residual stream")
        report.figure(Heatmap(byPosition, x: .tokens(try model.toStrTokens(prompt)), xTitle: "position", yTitle: "layer"),
                      caption: "Logit difference recovered")
        report.figure(AttentionViewer(tokens: try model.toStrTokens(prompt), patterns: try cache["pattern", 2][0],
                                      headNames: ["L2H0", "L2H1", "L2H2", "L2H3"]))
        try report.write(toPath: "report.html")
    }

    @Test func loadingAndModules() throws {
        // The checkpoint article's folder is a placeholder: here it does not exist, and loading says so.
        #expect(throws: (any Error).self) {
            let model = try LensModel(pretrained: URL(fileURLWithPath: "/path/to/gpt2"))            // like from_pretrained
            let raw = try LensModel(pretrained: URL(fileURLWithPath: "/path/to/gpt2"), processing: .none)   // no_processing
            _ = (model, raw)
        }
        // NN and Tensor on their own; the relative paths are the repository root's, where `swift test` runs.
        try #require(FileManager.default.fileExists(atPath: "Models/demo/config.json"), "run the tests from the package root")
        let model = try HookedTransformer(pretrained: URL(fileURLWithPath: "Models/demo"))
        let tokenizer = try Tokenizer(contentsOf: URL(fileURLWithPath: "Models/demo/tokenizer.json"))
        let ids = tokenizer.toTokens("The Eiffel Tower is located in")
        let logits = try model.forward(tokens: [ids])                 // [1, pos, d_vocab]
        let x = Tensor.randomNormal([4, 3], seed: 0)
        let w = Tensor([1, 2, 3], shape: [3, 1])
        let y = x.matmul(w) + 1                        // [4, 1], broadcasting
        let (U, S, Vh) = try x.svd()
        let z = try Tensor.einsum("i j, j k -> i k", x, w)
        print(y.softmax(axis: 0))                      // prints like NumPy
        #expect(logits.shape == [1, 7, 1500] && U.shape == [4, 3] && S.shape == [3] && Vh.shape == [3, 3] && z.shape == y.shape)
    }
}
