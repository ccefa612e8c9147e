// Tutorial 001, the exploratory circuit notebook (Qwen2.5 multiplication), section by section on the demo
// model. The demo model cannot multiply, so its task is indirect-object identification ("When Mary and John
// went to the store, John gave a drink to" → " Mary"): same shapes, same steps — 8 prompts of equal length,
// each name pair twice, a logit difference metric, DLA, logit lens, patching of residual / attn / MLP /
// head z, v and pattern. Figures go to circuit-walkthrough.html. Run: swift run TutorialCircuitWalkthrough
import Foundation
import Lens

// § Setup. No autograd to switch off, no device: everything runs on the CPU in fp32.

// § Load model. `HookedTransformer.from_pretrained_no_processing(path, fold_ln=True, center_writing_weights=True,
// center_unembed=True)` → the processing flags of `LensModel(pretrained:processing:)`. The notebook's
// `assert_hf_and_tl_model_are_close` is a committed parity test here (Tests/NNTests, against transformers fp32).
let processing = WeightProcessing(foldLN: true, centerWritingWeights: true, centerUnembed: true, foldValueBiases: true,
                                  refactorFactoredAttnMatrices: false)
let model = try LensModel(pretrained: DemoModel.folder(), processing: processing)
let nLayers = model.config.nLayers, nHeads = model.config.nHeads
var report = HTMLReport(title: "Circuit walkthrough on the demo model (IOI)")

// § Parameter names: `for name, param in tl_model.named_parameters()`.
let stateDict = model.transformer.stateDict
for name in stateDict.names where name.hasPrefix("blocks.0.") { print(name, stateDict[name]?.shape ?? []) }
for name in stateDict.names where !name.hasPrefix("blocks") { print(name, stateDict[name]?.shape ?? []) }

// § Activation + hook names: a hook on every point selected by a filter, printing name and shape.
let exampleProblem = "When Mary and John went to the store, John gave a drink to"
print("Num tokens:", try model.toTokens(exampleProblem).shape[1])
_ = try model.runWithHooks(exampleProblem, hooks: [(.filter { $0.hasPrefix("blocks.0.") || !$0.hasPrefix("blocks") },
                                                     { activation, hook in print(hook.name, activation.shape); return nil })])

// § Task. `utils.test_prompt(prompt, answer, model)`.
try model.testPrompt(exampleProblem, answer: " Mary", topK: 5)

// Eight prompts of one token length, each name pair in both orders (the notebook's multiplicands j, 1-j).
let pairs = [("Mary", "John"), ("Tom", "James"), ("Amy", "Tim"), ("Sam", "Eric")]
var prompts: [String] = [], answers: [(String, String)] = []
for (a, b) in pairs {
    for (first, second) in [(a, b), (b, a)] {
        prompts.append("When \(first) and \(second) went to the store, \(second) gave a drink to")
        answers.append((" \(first)", " \(second)"))
    }
}
let answerTokens = Tensor(ints: try answers.flatMap { [try model.toSingleToken($0.0), try model.toSingleToken($0.1)] },
                          shape: [prompts.count, 2])                            // [batch, 2]: correct, wrong
for prompt in prompts { print("Prompt length:", try model.toStrTokens(prompt).count) }

// § Cache layer activations. `tl_model.to_tokens(prompts)` → a `TokenBatch` (padded tokens and their mask).
let tokens = try model.toTokens(prompts).tokens                                  // [8, pos]
let (originalLogits, cache) = try model.runWithCache(tokens)

// `logits_to_ave_logit_diff`: gather the two answer logits at the last position.
@MainActor func logitsToAveLogitDiff(_ logits: Tensor, _ answerTokens: Tensor, perPrompt: Bool = false) throws -> Tensor {
    let finalLogits = logits[.all, -1, .all]                                      // [batch, d_vocab]
    let answerLogits = try finalLogits.gather(answerTokens, axis: -1)            // [batch, 2]
    let diff = answerLogits[.all, 0] - answerLogits[.all, 1]
    return perPrompt ? diff : diff.mean()
}
print("Per prompt logit difference:", try logitsToAveLogitDiff(originalLogits, answerTokens, perPrompt: true))
let originalAverageLogitDiff = try logitsToAveLogitDiff(originalLogits, answerTokens).item()
print("Average logit difference:", originalAverageLogitDiff)

// § Direct logit attribution. `tokens_to_residual_directions` and `apply_ln_to_stack` keep their meaning.
let answerResidualDirections = try model.tokensToResidualDirections(.ids(answerTokens))     // [8, 2, d_model]
let logitDiffDirections = answerResidualDirections[.all, 0] - answerResidualDirections[.all, 1]
let finalResidualStream = try cache["resid_post", -1]                              // [8, pos, d_model]
let finalTokenResidualStream = finalResidualStream[.all, -1, .all]
let scaledFinalTokenResidualStream = try cache.applyLnToStack(finalTokenResidualStream, layer: -1, posSlice: -1)
let averageLogitDiff = try Tensor.einsum("batch d_model, batch d_model -> ", scaledFinalTokenResidualStream,
                                         logitDiffDirections) / Float(prompts.count)
print("Calculated average logit diff:", averageLogitDiff.item(), "original:", originalAverageLogitDiff)

@MainActor func residualStackToLogitDiff(_ residualStack: Tensor, _ cache: ActivationCache) throws -> Tensor {
    let scaled = try cache.applyLnToStack(residualStack, layer: -1, posSlice: -1)
    return try Tensor.einsum("... batch d_model, batch d_model -> ...", scaled, logitDiffDirections) / Float(prompts.count)
}

// § Logit lens: `cache.accumulated_resid(layer=-1, incl_mid=True, pos_slice=-1, return_labels=True)`.
let (accumulatedResidual, lensLabels) = try cache.accumulatedResid(layer: -1, inclMid: true, posSlice: -1, returnLabels: true)
let logitLensLogitDiffs = try residualStackToLogitDiff(accumulatedResidual, cache)
report.figure(LinePlot(logitLensLogitDiffs.scalars, x: .plain(lensLabels), title: "Logit difference from accumulated residual stream"))

// § Layer attribution: `cache.decompose_resid(layer=-1, pos_slice=-1, return_labels=True)`.
let (perLayerResidual, layerLabels) = try cache.decomposeResid(layer: -1, posSlice: -1, returnLabels: true)
let perLayerLogitDiffs = try residualStackToLogitDiff(perLayerResidual, cache)
report.figure(LinePlot(perLayerLogitDiffs.scalars, x: .plain(layerLabels), title: "Logit difference from each layer"))

// § Head attribution: `cache.stack_head_results` (computed from z · W_O, nothing to enable first), then
// `einops.rearrange(x, "(layer head_index) -> layer head_index")`.
let (perHeadResidual, _) = try cache.stackHeadResults(layer: -1, posSlice: -1, returnLabels: true)
let perHeadLogitDiffs = try residualStackToLogitDiff(perHeadResidual, cache)
    .rearrange("(layer head_index) -> layer head_index", axes: ["layer": nLayers, "head_index": nHeads])
report.figure(Heatmap(perHeadLogitDiffs, xTitle: "Head", yTitle: "Layer", colorBarTitle: "logit diff"), caption: "Logit difference from each head")

// § Attention analysis: the top 3 positive and negative heads by DLA, patterns of the first prompt.
let strTokens = try model.toStrTokens(prompts[0])
@MainActor func visualizeAttentionPatterns(_ heads: [Int], _ cache: ActivationCache, title: String) throws -> AttentionViewer {
    let patterns = try heads.map { try cache["attn", $0 / nHeads][0, $0 % nHeads] }        // "attn" is "pattern"
    return AttentionViewer(tokens: strTokens, patterns: Tensor.stack(patterns), headNames: heads.map { "L\($0 / nHeads)H\($0 % nHeads)" }, title: title)
}
let topPositive = perHeadLogitDiffs.flattened().topk(3).indices.intScalars
let topNegative = (perHeadLogitDiffs.flattened() * -1).topk(3).indices.intScalars
report.figure(try visualizeAttentionPatterns(topPositive, cache, title: "Top 3 positive logit attribution heads"))
report.figure(try visualizeAttentionPatterns(topNegative, cache, title: "Top 3 negative logit attribution heads"))

// § Activation patching. Corrupted prompts: the list reversed, so every prompt's answer is wrong.
let corruptedTokens = try model.toTokens(prompts.reversed()).tokens
let (corruptedLogits, _) = try model.runWithCache(corruptedTokens)
let corruptedAverageLogitDiff = try logitsToAveLogitDiff(corruptedLogits, answerTokens).item()
print("Corrupted average logit diff:", corruptedAverageLogitDiff, "clean:", originalAverageLogitDiff)
print(try model.toString(corruptedTokens).prefix(2))                          // `tl_model.to_string(corrupted_tokens)`

@MainActor func normalizePatchedLogitDiff(_ patched: Float) -> Float {
    (patched - corruptedAverageLogitDiff) / (originalAverageLogitDiff - corruptedAverageLogitDiff)
}
// A hook that writes the clean activation at one index into the corrupted run (`partial(patch_..., pos=...)`).
@MainActor func patchFromClean(_ index: [TensorIndex]) -> HookFunction {
    { corrupted, hook in
        var patched = corrupted
        patched.assign(try cache[hook.name].indexed(index), to: index)
        return patched
    }
}
let positions = tokens.shape[1]
@MainActor func patchedLogitDiff(_ hookName: String, _ index: [TensorIndex]) throws -> Float {
    let logits = try model.runWithHooks(corruptedTokens, hooks: [(.name(hookName), patchFromClean(index))])
    return normalizePatchedLogitDiff(try logitsToAveLogitDiff(logits, answerTokens).item())
}

// § Residual stream: every layer and position, one run each (`utils.get_act_name("resid_pre", layer)`).
var patchedResidualStreamDiff = Tensor.zeros([nLayers, positions])
for layer in 0..<nLayers {
    for position in 0..<positions {
        patchedResidualStreamDiff[layer, position] = Tensor(scalar: try patchedLogitDiff(getActName("resid_pre", layer: layer), [.all, .at(position), .all]))
    }
}
let positionLabels = strTokens.enumerated().map { "\($1)_\($0)" }
report.figure(Heatmap(patchedResidualStreamDiff, x: .plain(positionLabels), xTitle: "Position", yTitle: "Layer"), caption: "Logit difference from patched residual stream")
// The same sweep in one call, with the fast path (shared prefix skipped, patches batched): equal within 1e-5.
let metric = try PatchingMetric { logits in try logitsToAveLogitDiff(logits, answerTokens).item() }
    .normalized(clean: originalAverageLogitDiff, corrupted: corruptedAverageLogitDiff)
let residSweep = try model.actPatch(.residPre, corruptedTokens: corruptedTokens, cleanCache: cache, metric: metric,
                                    options: PatchingOptions(showProgress: false))
let largestDifference = (residSweep - patchedResidualStreamDiff).abs().max().item()
print("actPatch(.residPre) − hook loop, largest difference: \(largestDifference) (within 1e-5: \(largestDifference <= 1e-5))")

// § Layers: attention and MLP outputs at every position.
var patchedAttnDiff = Tensor.zeros([nLayers, positions]), patchedMLPDiff = Tensor.zeros([nLayers, positions])
for layer in 0..<nLayers {
    for position in 0..<positions {
        let index: [TensorIndex] = [.all, .at(position), .all]
        patchedAttnDiff[layer, position] = Tensor(scalar: try patchedLogitDiff(getActName("attn_out", layer: layer), index))
        patchedMLPDiff[layer, position] = Tensor(scalar: try patchedLogitDiff(getActName("mlp_out", layer: layer), index))
    }
}
report.figure(Heatmap(patchedAttnDiff, x: .plain(positionLabels), xTitle: "Position", yTitle: "Layer"), caption: "Logit difference from patched attention layer")
report.figure(Heatmap(patchedMLPDiff, x: .plain(positionLabels), xTitle: "Position", yTitle: "Layer"), caption: "Logit difference from patched MLP layer")

// § Heads: z, v and pattern of one head at every position. z and v are [batch, pos, head, d_head] (the
// notebook's v hook indexes axis 1 as the head: that patches a position, not a head); pattern is
// [batch, head, query, key].
var patchedHeadZDiff = Tensor.zeros([nLayers, nHeads]), patchedHeadVDiff = Tensor.zeros([nLayers, nHeads])
var patchedHeadPatternDiff = Tensor.zeros([nLayers, nHeads])
for layer in 0..<nLayers {
    for head in 0..<nHeads {
        patchedHeadZDiff[layer, head] = Tensor(scalar: try patchedLogitDiff(getActName("z", layer: layer, layerType: "attn"), [.all, .all, .at(head), .all]))
        patchedHeadVDiff[layer, head] = Tensor(scalar: try patchedLogitDiff(getActName("v", layer: layer, layerType: "attn"), [.all, .all, .at(head), .all]))
        patchedHeadPatternDiff[layer, head] = Tensor(scalar: try patchedLogitDiff(getActName("attn", layer: layer, layerType: "attn"), [.all, .at(head), .all, .all]))
    }
}
report.figure(Heatmap(patchedHeadZDiff, xTitle: "Head", yTitle: "Layer"), caption: "Logit difference from patched head output")
let headLabels = (0..<nLayers).flatMap { l in (0..<nHeads).map { "L\(l)H\($0)" } }
@MainActor func scatter(_ x: Tensor, _ y: Tensor, xTitle: String, title: String) -> ScatterPlot {
    ScatterPlot(zip(zip(x.scalars, y.scalars), headLabels).map { ScatterPlot.Point(x: $0.0, y: $0.1, hover: $1, group: "layer \($1.dropFirst().prefix { $0 != "H" })") },
                title: title, xTitle: xTitle, yTitle: "Output Patch")
}
report.figure(scatter(patchedHeadVDiff, patchedHeadZDiff, xTitle: "Value Patch", title: "Output patching vs value patching"))
report.figure(scatter(patchedHeadPatternDiff, patchedHeadZDiff, xTitle: "Attention Patch", title: "Output patching vs attention patching"))

// § Consolidating understanding: the top heads by |output patch|, their patterns.
let topHeadsByOutputPatch = patchedHeadZDiff.abs().flattened().topk(5).indices.intScalars
report.figure(try visualizeAttentionPatterns(topHeadsByOutputPatch, cache, title: "Top heads by output patching"))
print("Top heads by output patching:", topHeadsByOutputPatch.map { headLabels[$0] })
try report.write(toPath: "circuit-walkthrough.html")
print("Figures: circuit-walkthrough.html")
