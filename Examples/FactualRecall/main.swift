// Factual recall through every technique of the classic tutorials, on the demo model:
// prediction, logit lens, direct logit attribution, activation patching, ablation and attention.
// Run from the repository root: swift run FactualRecall
import Foundation
import Lens

let model = try LensModel(pretrained: DemoModel.folder())
let clean = "The Eiffel Tower is located in", corrupted = "The Leaning Tower is located in"
let answer = try model.toSingleToken(" Paris"), wrong = try model.toSingleToken(" Pisa")

// 1. What does the model predict? (TransformerLens's test_prompt)
try model.testPrompt(clean, answer: " Paris", topK: 3)

// 2. Logit lens: the answer's probability read off each layer's residual stream at the last position.
let cleanTokens = try model.toTokens(clean), corruptedTokens = try model.toTokens(corrupted)
let (cleanLogits, cache) = try model.runWithCache(cleanTokens)
let (lens, stages) = try cache.logitLens(posSlice: -1, inclMid: true)      // [stages, 1, d_vocab]
let probabilities = lens.softmax(axis: -1)
print("\nLogit lens, p(' Paris'):")
for (i, stage) in stages.enumerated() {
    print("  \(stage.padding(toLength: 10, withPad: " ", startingAt: 0)) \(probabilities[i, 0, answer].item())")
}

// 3. Direct logit attribution of logit(' Paris') − logit(' Pisa') to every sublayer and head.
let (byLayer, layerNames) = try cache.layerAttribution(tokens: .id(answer), incorrectTokens: .id(wrong), posSlice: -1)
print("\nDirect logit attribution:")
for (name, value) in zip(layerNames, byLayer.scalars) { print("  \(name): \(value)") }
let (byHead, headNames) = try cache.headAttribution(tokens: .id(answer), incorrectTokens: .id(wrong), posSlice: -1)
let bestHead = byHead.scalars.indices.max { abs(byHead.scalars[$0]) < abs(byHead.scalars[$1]) }!
print("  largest head: \(headNames[bestHead]) \(byHead.scalars[bestHead])")

// 4. Activation patching: clean activations into the corrupted run, 0 = corrupted, 1 = clean.
let logitDiff = try PatchingMetric.logitDiff(answers: [answer], wrong: [wrong])
let metric = try logitDiff.normalized(cleanLogits: cleanLogits, corruptedLogits: model(corruptedTokens))
let resid = try model.transformer.actPatch(.residPre, clean: cleanTokens, corrupted: corruptedTokens, metric: metric)
print("\nPatching resid_pre [layer, position] over \(try model.toStrTokens(clean)):\n\(resid)")
let heads = try model.transformer.actPatch(.headZAllPos, clean: cleanTokens, corrupted: corruptedTokens, metric: metric)
print("Patching each head's output [layer, head]:\n\(heads)")

// 5. Ablation: zero the head whose patch restores the most, and see the logit difference drop.
let top = heads.argmax().intScalars[0], nHeads = model.config.nHeads
let (layer, head) = (top / nHeads, top % nHeads)
let ablated = try model.transformer.ablate(cleanTokens, .head(layer: layer, head: head))
print("\nlogit diff \(try logitDiff(cleanLogits)) → \(try logitDiff(ablated)) with L\(layer)H\(head) zeroed")

// 6. What that head attends to, as an HTML attention viewer.
var report = HTMLReport(title: "L\(layer)H\(head) on \"\(clean)\"")
report.figure(AttentionViewer(tokens: try model.toStrTokens(clean), patterns: try cache["pattern", layer][0, head],
                              headNames: ["L\(layer)H\(head)"]))
try report.write(toPath: "factual-recall-attention.html")
print("Attention viewer: factual-recall-attention.html")
