import Foundation
import Testing
import Lens

/// Every Swift sample of the migration guide (`Sources/Lens/Lens.docc/TransformerLensGuide.md`) compiles here
/// and runs on the demo model; `everySampleIsHere` fails when the guide shows a Swift line this file lacks.
/// Samples are written exactly as the guide shows them, so the names below (`model`, `tokens`, `cache`, …)
/// are the guide's.
@Suite struct TransformerLensGuideTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let folder = root.appendingPathComponent("Models/demo")
    static let guide = root.appendingPathComponent("Sources/Lens/Lens.docc/TransformerLensGuide.md")

    /// The code spans of the guide's Swift column (the second cell of every table row).
    static func swiftSamples() throws -> [String] {
        let text = try String(contentsOf: guide, encoding: .utf8)
        var samples: [String] = []
        for line in text.split(separator: "\n") where line.hasPrefix("| ") && !line.hasPrefix("| ---") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false)
            guard cells.count > 3 else { continue }
            let cell = String(cells[2])
            let spans = cell.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
            samples += spans.filter { !$0.isEmpty }
        }
        return samples
    }

    @Test func everySampleIsHere() throws {
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8)
        let samples = try Self.swiftSamples()
        #expect(samples.count > 60, "the guide's table was not found in \(Self.guide.path)")
        for sample in samples where !source.contains(sample) {
            Issue.record("guide sample not compiled by this file: \(sample)")
        }
        // The calls the issue names have a row.
        let guide = try String(contentsOf: Self.guide, encoding: .utf8)
        for call in ["model.to_tokens(", "run_with_cache(", "cache[\"z\", 4][:, :, 2, :]", "stack_head_results(", "get_act_patch_",
                     "utils.get_act_name(", "einops.einsum(", "t.svd(", "sae.encode(", "run_with_hooks(", "einops.rearrange("] {
            #expect(guide.contains(call), "no row for \(call)")
        }
    }

    @Test func loadingAndTokens() throws {
        let folder = Self.folder
        let prompt = "The Eiffel Tower is located in", prompts = ["When Mary and John went to", "When Tom and Amy went to"]
        let model = try LensModel(pretrained: folder)
        let unprocessed = try LensModel(pretrained: folder, processing: .none)
        let processing = WeightProcessing(foldLN: true, centerWritingWeights: true, centerUnembed: true, foldValueBiases: true, refactorFactoredAttnMatrices: false)
        #expect(unprocessed.config.nLayers == model.config.nLayers && processing == .default)
        let (nLayers, nHeads, dModel) = (model.config.nLayers, model.config.nHeads, model.config.dModel)
        #expect(nLayers == 3 && nHeads == 4 && dModel == 128)
        let tokens = try model.toTokens(prompt)
        #expect(tokens.shape == [1, 7] && tokens.intScalars[0] == 0)
        let batch = try model.toTokens(prompts).tokens
        let left = try model.toTokens(prompts, paddingSide: .left)
        let texts = try model.toString(batch)
        #expect(batch.shape[0] == 2 && left.mask.shape == batch.shape && texts.count == 2)
        let strTokens = try model.toStrTokens(prompt)
        let answerToken = try model.toSingleToken(" Paris")
        #expect(strTokens.count == 7)
        #expect(throws: (any Error).self) { try model.toSingleToken(" Eiffel Tower") }
        let logits = try model(tokens)
        let topToken = logits[0, -1].argmax().intScalars[0]
        #expect(try model.toString([topToken]) == " Paris" && topToken == answerToken)
        #expect(logits[0, -1, answerToken].item() > 10)
        let stateDict = model.transformer.stateDict
        #expect(stateDict.names.contains("blocks.0.attn.W_Q") && stateDict["unembed.W_U"]?.shape == [128, 1500])
    }

    @Test func cacheAndWeights() throws {
        let model = try LensModel(pretrained: Self.folder)
        let tokens = try model.toTokens("The Eiffel Tower is located in")
        let (logits, cache) = try model.runWithCache(tokens)
        let (helloLogits, helloCache) = try model.runWithCache("Hello world")
        #expect(helloLogits.shape[1] == 5 && helloCache.count > 0)
        let resid = try cache["resid_post", 2]
        let embed = try cache["embed"]
        let headZ = try cache["z", 1][.all, .all, 2, .all]
        let lastRow = try cache["pattern", 1][0, .all, -1, .all]
        #expect(resid.shape == [1, 7, 128] && embed.shape == [1, 7, 128] && headZ.shape == [1, 7, 32] && lastRow.shape == [4, 7])
        #expect(throws: (any Error).self) { try cache["resid_post", 5] }
        let answerToken = try model.toSingleToken(" Paris")
        let parisDir = model.W_U[.all, answerToken]
        let W_O = model.W_O[2]
        let (layer, neuron) = (1, 7)
        let wIn = try model.W_in[layer, .all, neuron]
        let wOut = try model.W_out[layer, neuron, .all]
        let withoutFirst = model.W_U[.all, 1...]
        #expect(W_O.shape == [4, 32, 128] && wIn.shape == [128] && wOut.shape == [128] && withoutFirst.shape == [128, 1499])
        let pushed = embed[0, -1].matmul(parisDir).item()
        let same = (embed[0, -1] • parisDir).item()
        #expect(pushed == same)
        let z = try cache["z", 2][0, -1]
        let headOut = z[3].matmul(W_O[3])
        #expect(headOut.shape == [128])
        let lens = try model.unembed(cache["resid_post", 1])
        #expect(lens.shape == logits.shape)
        let romeDir = model.W_U[.all, try model.toSingleToken(" Rome")]
        let cosSim = try Tensor.cosineSimilarity(parisDir, romeDir, axis: 0)
        #expect(abs(cosSim.item()) <= 1)
        let scores = logits[0, -1].scalars
        #expect(scores.count == 1500)
    }

    @Test func tensorOperations() throws {
        let x = Tensor.randomNormal([6, 4, 5], seed: 1), a = Tensor.randomNormal([3, 8], seed: 2), b = Tensor.randomNormal([8, 2, 2], seed: 3)
        let (nLayers, positions, dModel) = (3, 5, 8)
        let probs = x.softmax(axis: -1)
        let logProbs = x.logSoftmax(axis: -1)
        let zeros = Tensor.zeros(like: x)
        let grid = Tensor.zeros([nLayers, positions])
        let stacked = Tensor.stack([a, a])
        let joined = Tensor.concat([a, a], axis: 1)
        let flat = b.reshaped([dModel, 4])
        let row = a[0].unsqueezed(0)
        let squeezed = row.squeezed()
        let flattened = x.flattened()
        let norms = a.norm(axes: [0], keepDims: true)
        let spread = x.std(axes: [0, 1], correction: 1)
        let order = spread.argsort(descending: true)
        let power = a.abs().pow(2).sum()
        let means = x.mean(axis: 0)
        let (values, indices) = x[0, 0].topk(3)
        #expect(probs.shape == x.shape && logProbs.shape == x.shape && zeros.sum().item() == 0 && grid.shape == [3, 5])
        #expect(stacked.shape == [2, 3, 8] && joined.shape == [3, 16] && flat.shape == [8, 4] && squeezed.shape == [8])
        #expect(flattened.shape == [120] && norms.shape == [1, 8] && order.shape == [5] && power.item() > 0 && means.shape == [4, 5])
        #expect(values.shape == [3] && indices.intScalars.allSatisfy { (0..<5).contains($0) })
        let idx = Tensor(ints: [1, 0, 2, 2], shape: [2, 2])
        let finalLogits = x[0, 0..<2]
        let gathered = try finalLogits.gather(idx, axis: -1)
        #expect(gathered.shape == [2, 2])
        let (U, S, Vh) = try a.svd()
        #expect(U.shape == [3, 3] && S.shape == [3] && Vh.shape == [3, 8])
        let contributions = try Tensor.einsum("layers d_model, d_model rows cols -> layers rows cols", a, b)
        let total = try Tensor.einsum("batch d_model, batch d_model -> ", a, a)
        #expect(contributions.shape == [3, 2, 2] && total.rank == 0)
        let (L, H) = (2, 3)
        let perHead = Tensor.arange(6)
        let grid2 = try perHead.rearrange("(layer head) -> layer head", axes: ["layer": L, "head": H])
        let colours = try Tensor.arange(L).repeat("layer -> (layer head)", sizes: ["head": H])
        let pooled = try x.reduce("a b n -> n", .mean)
        let spread2 = try x.reduce("a b n -> n") { x, axes in x.std(axes: axes, correction: 1) }
        #expect((spread2 - spread).abs().max().item() < 1e-5)
        let kurtosis = try NeuronRanking.kurtosis(x)
        #expect(grid2.shape == [2, 3] && colours.intScalars == [0, 0, 0, 1, 1, 1] && pooled.shape == [5] && kurtosis.shape == [5])
        var probe = Tensor.randomNormal([8, 8, 8], seed: 4)
        probe[.all, [3, 3, 4, 4], [3, 4, 3, 4]] = Tensor(scalar: 0)
        #expect(probe[.all, 3, 4].abs().sum().item() == 0)
        let cosSim = Tensor.randomNormal([3], seed: 5), squares = [0, 9, 63]
        var board = Tensor.zeros([8, 8]).flattened()
        board[flat: squares] = cosSim
        #expect(board[63].item() == cosSim[2].item())
        let post = Tensor.randomNormal([4, 10, 6], seed: 6)
        let middle = post[.all, .range(3, -3)]
        #expect(middle.shape == [4, 4, 6])
    }

    @Test func hooks() throws {
        var model = try LensModel(pretrained: Self.folder)
        let tokens = try model.toTokens("The Eiffel Tower is located in")
        let (_, other) = try model.runWithCache("The Colosseum is located in")
        let layer = 1, name = "blocks.1.hook_resid_post"
        let hook: HookFunction = { act, hook in
            var act = act
            act[.all, -1, .all] = try other[hook.name][.all, -1, .all]
            return act
        }
        let patched = try model.runWithHooks(tokens, hooks: [(.name(name), hook)])
        let corruptedAct = try other["resid_post", layer]
        let replaced = try model.runWithHooks("The Colosseum is located in", hooks: [(.name(name), { act, hook in corruptedAct })])
        var seen: [String] = []
        _ = try model.runWithHooks(tokens, hooks: [(.filter { $0.hasPrefix("blocks.0.") }, { act, hook in seen.append(hook.name); return nil })])
        let zeroed = try model.runWithHooks(tokens, hooks: [("blocks.2.hook_mlp_out", { act, _ in Tensor.zeros(like: act) })])
        #expect(throws: ForwardError.self) { try model.runWithHooks(tokens, hooks: [(.name(name), { act, _ in act[.all, 0..<2] })]) }
        #expect(throws: (any Error).self) { try model.runWithHooks(tokens, hooks: [("blocks.9.hook_resid_post", { _, _ in nil })]) }
        #expect(patched.shape == [1, 7, 1500] && replaced.shape[1] == 6 && zeroed.shape == patched.shape)
        #expect(seen.contains("blocks.0.attn.hook_pattern") && HookPoint(name: name).layer == 1)
        try model.addHook(.name(name), { act, hook in nil })
        #expect(model.attachedHookNames == [name])
        model.resetHooks()
        #expect(model.attachedHookNames.isEmpty)
        #expect(getActName("resid_pre", layer: layer) == "blocks.1.hook_resid_pre")
        #expect(getActName("z", layer: layer, layerType: "attn") == "blocks.1.attn.hook_z")
        #expect(getActName("attn", layer: layer, layerType: "attn") == "blocks.1.attn.hook_pattern")
        let answer = " Paris", prompt = "The Eiffel Tower is located in"
        let result = try model.testPrompt(prompt, answer: answer)
        #expect(result.positions[0].answers[0].rank == 0)
    }

    @Test func decompositions() throws {
        let model = try LensModel(pretrained: Self.folder)
        let tokens = try model.toTokens("The Eiffel Tower is located in")
        let (_, cache) = try model.runWithCache(tokens)
        let answerTokens = Tensor(ints: [try model.toSingleToken(" Paris"), try model.toSingleToken(" Pisa")], shape: [1, 2])
        let directions = try model.tokensToResidualDirections(.ids(answerTokens))
        let x = try cache["resid_post", -1][.all, -1, .all]
        let scaled = try cache.applyLnToStack(x, layer: -1, posSlice: -1)
        let (accumulated, labels) = try cache.accumulatedResid(layer: -1, inclMid: true, posSlice: -1, returnLabels: true)
        let (perLayer, layerLabels) = try cache.decomposeResid(layer: -1, posSlice: -1, returnLabels: true)
        let (perHead, headLabels) = try cache.stackHeadResults(layer: -1, posSlice: -1, returnLabels: true)
        let target = try model.toSingleToken(" Paris")
        let headDLA = try cache.stackHeadResults().matmul(model.W_U[.all, target])
        #expect(directions.shape == [1, 2, 128] && scaled.shape == [1, 128])
        #expect(accumulated.shape[0] == labels.count && perLayer.shape[0] == layerLabels.count && perHead.shape[0] == headLabels.count)
        #expect(headDLA.shape == [12, 1, 7])
    }

    @Test func patching() throws {
        let model = try LensModel(pretrained: Self.folder)
        let cleanTokens = try model.toTokens("The Eiffel Tower is located in")
        let corruptedTokens = try model.toTokens("The Leaning Tower is located in")
        let (cleanLogits, cleanCache) = try model.runWithCache(cleanTokens)
        let answers = [try model.toSingleToken(" Paris")], wrong = [try model.toSingleToken(" Pisa")]
        let metric = try PatchingMetric.logitDiff(answers: answers, wrong: wrong)
            .normalized(cleanLogits: cleanLogits, corruptedLogits: model(corruptedTokens))
        let resid = try model.actPatch(.residPre, corruptedTokens: corruptedTokens, cleanCache: cleanCache, metric: metric)
        let heads = try model.actPatch(.headZAllPos, clean: cleanTokens, corrupted: corruptedTokens, metric: metric)
        let naive = try model.actPatch(.headZAllPos, clean: cleanTokens, corrupted: corruptedTokens, metric: metric, options: PatchingOptions(strategy: .naive))
        #expect(resid.shape == [3, 7] && heads.shape == [3, 4] && (heads - naive).abs().max().item() < 1e-5)
        let gradientMetric = try GradientMetric.logitDiff(answers: answers, wrong: wrong)
        let atp = try model.attributionPatch(.headZAllPos, clean: cleanTokens, corrupted: corruptedTokens, metric: gradientMetric)
        #expect(atp.shape == [3, 4])
        let target = answers[0]
        let logProb = PatchingMetric.logProb(tokens: [target])
        #expect(try logProb(cleanLogits) < 0)
    }

    @Test func saesAndSteering() throws {
        let model = try LensModel(pretrained: Self.folder)
        let saeFolder = Self.folder.appendingPathComponent("sae/blocks.1.hook_resid_post")
        let sae = try SparseAutoencoder(folder: saeFolder)
        let (_, cache) = try model.runWithCache("I hate this movie because it is")
        let x = try cache["resid_post", 1]
        let featureActs = try sae.encode(x)
        let reconstructed = try sae.decode(featureActs)
        let (featureIdx, strength): (Int, Float) = (607, 8)
        let featureDir = sae.W_dec[featureIdx]
        let steer: HookFunction = { resid, _ in resid + featureDir * strength }
        let steered = try model.runWithHooks("I hate this movie because it is", hooks: [("blocks.1.hook_resid_post", steer)])
        let prompt = try model.toTokens("I hate this movie because it is").intScalars
        let generated = try model.transformer.generate([prompt], steering: [sae.steering(feature: featureIdx, scale: strength)], options: GenerationOptions(maxNewTokens: 3))
        #expect(throws: SAEError.self) { try sae.encode(Tensor.zeros([2, 5])) }
        #expect(reconstructed.shape == x.shape && featureActs.shape.last == sae.W_dec.shape[0] && steered.shape[1] == 8 && generated[0].count == 11)
    }

    @Test func othello() throws {
        let moves = Array(OthelloBoard().legalMoves.prefix(1))
        let board = try OthelloBoard(moves: moves)
        let legal = board.legalMoves.map { OthelloSquares.label($0) }
        let values = (0..<8).map { r in (0..<8).map { c in Float(r * 8 + c) } }
        let figure = OthelloPlots.board(values, text: OthelloPlots.legalText(legal), title: "board")
        let square = moves[0]
        #expect(!legal.isEmpty && OthelloSquares.label(square).count == 2 && figure.values.count == 8)
        #expect(throws: OthelloError.self) { try OthelloBoard(moves: [0]) }
    }

    @Test func figures() throws {
        let model = try LensModel(pretrained: Self.folder)
        let (_, cache) = try model.runWithCache("The Eiffel Tower is located in")
        let strTokens = try model.toStrTokens("The Eiffel Tower is located in")
        let patterns = try cache["pattern", 2][0]
        let values = Tensor.randomNormal([3, 4], seed: 1)
        var report = HTMLReport(title: "figures")
        report.figure(AttentionViewer(tokens: strTokens, patterns: patterns, headNames: ["L2H0", "L2H1", "L2H2", "L2H3"]))
        report.figure(Heatmap(values, xTitle: "Head", yTitle: "Layer"))
        report.figure(LinePlot(values[0].scalars, title: "line"))
        report.figure(ScatterPlot([ScatterPlot.Point(x: 0.1, y: 0.2, hover: "L0H0")], xTitle: "Value Patch", yTitle: "Output Patch"))
        report.figure(BarChart(values[0].scalars, labels: .plain(["a", "b", "c", "d"])))
        report.figure(GroupedBarChart(series: [LinePlot.Series("attention", [0.1, 1.5]), LinePlot.Series("mlp", [0.3, 4.9])], categories: .plain(["0", "1"])))
        let rows = values.rowArrays
        #expect(rows.count == 3 && report.html().contains("<svg"))
    }
}
