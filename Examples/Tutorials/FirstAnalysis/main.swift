// Tutorial 002, "Your First Analysis": a sentiment-influenced completion from question to interpretation,
// section by section on the demo model. Figures go to first-analysis.html. Run: swift run TutorialFirstAnalysis
import Foundation
import Lens

func pad(_ s: String, _ n: Int) -> String { s.padding(toLength: max(n, s.count), withPad: " ", startingAt: 0) }
func f2(_ x: Float) -> String { String(format: "%.2f", x) }

// § 3.2 Step 0: Setup.
let model = try LensModel(pretrained: DemoModel.folder())
let config = model.config
print("Loaded the demo model: \(config.nLayers) layers, \(config.nHeads) heads")
var report = HTMLReport(title: "First analysis: sentiment on the demo model")

// § 3.3 Step 1: Verify the behaviour exists. `logits[0, -1].topk(k)` and `torch.softmax` read the same.
func getTopPredictions(_ model: LensModel, _ prompt: String, k: Int = 5) throws -> [(String, Float, Float)] {
    let logits = try model(model.toTokens(prompt))
    let (topLogits, topTokens) = logits[0, -1].topk(k)
    let probs = logits[0, -1].softmax(axis: -1)
    return try zip(topLogits.scalars, topTokens.intScalars).map { (try model.toString([$1]), probs[$1].item(), $0) }
}
let positivePrompt = "I love this movie because it is", negativePrompt = "I hate this movie because it is"
for (label, prompt) in [("POSITIVE", positivePrompt), ("NEGATIVE", negativePrompt)] {
    print("\(label): '\(prompt)'")
    for (word, prob, logit) in try getTopPredictions(model, prompt) { print("  \(pad(word, 15)) prob=\(String(format: "%.3f", prob))  logit=\(f2(logit))") }
}
func getTokenLogit(_ model: LensModel, _ prompt: String, _ targetWord: String) throws -> Float {
    let logits = try model(model.toTokens(prompt))
    return logits[0, -1, try model.toSingleToken(targetWord)].item()
}
for word in [" great", " bad"] {
    print("Logit for '\(word)': after 'love' \(f2(try getTokenLogit(model, positivePrompt, word))), "
          + "after 'hate' \(f2(try getTokenLogit(model, negativePrompt, word)))")
}

// § 3.4 Step 2: Logit attribution, component by component along the target's unembedding column.
func logitAttribution(_ model: LensModel, _ prompt: String, _ targetToken: String) throws -> ([String: Float], Float) {
    let targetID = try model.toSingleToken(targetToken)
    let (logits, cache) = try model.runWithCache(model.toTokens(prompt))
    let targetDir = model.W_U[.all, targetID]
    var contributions = ["embed": try cache["embed"][0, -1].matmul(targetDir).item(),
                         "pos_embed": try cache["pos_embed"][0, -1].matmul(targetDir).item()]
    for layer in 0..<model.config.nLayers {
        contributions["L\(layer)_attn"] = try cache["attn_out", layer][0, -1].matmul(targetDir).item()
        contributions["L\(layer)_mlp"] = try cache["mlp_out", layer][0, -1].matmul(targetDir).item()
    }
    return (contributions, logits[0, -1, targetID].item())
}
let (posAttrib, posLogit) = try logitAttribution(model, positivePrompt, " great")
let (negAttrib, negLogit) = try logitAttribution(model, negativePrompt, " great")
print("Total logit for ' great': positive=\(f2(posLogit)), negative=\(f2(negLogit)); difference \(f2(posLogit - negLogit))")
let diffAttrib = posAttrib.reduce(into: [String: Float]()) { $0[$1.key] = $1.value - negAttrib[$1.key]! }
print("Components with largest attribution difference (positive - negative):")
for (component, diff) in diffAttrib.sorted(by: { abs($0.value) > abs($1.value) }).prefix(10) {
    print("\(pad(component, 15)) diff=\(String(format: "%+.3f", diff))  (pos=\(String(format: "%.3f", posAttrib[component]!)), neg=\(String(format: "%.3f", negAttrib[component]!)))")
}

// § 3.5 Step 3: Visualise the attribution: `px.bar(df, x="layer", y="diff", color="component", barmode="group")`.
let layers = 0..<config.nLayers
report.figure(GroupedBarChart(series: ["attn", "mlp"].map { component in
                                  LinePlot.Series(component == "attn" ? "attention" : "mlp",
                                                  layers.map { diffAttrib["L\($0)_\(component)"]! })
                              },
                              categories: .plain(layers.map { "\($0)" }), title: "Attribution Difference: Positive vs Negative Sentiment",
                              xTitle: "Layer", yTitle: "Contribution difference to 'great'"))

// § 3.6 Step 4: Specific heads: z · W_O per head.
func headAttribution(_ model: LensModel, _ prompt: String, _ targetToken: String) throws -> [String: Float] {
    let targetID = try model.toSingleToken(targetToken)
    let (_, cache) = try model.runWithCache(model.toTokens(prompt))
    let targetDir = model.W_U[.all, targetID]
    var contributions: [String: Float] = [:]
    for layer in 0..<model.config.nLayers {
        let z = try cache["z", layer][0, -1]                    // [n_heads, d_head]
        let W_O = model.W_O[layer]                                // [n_heads, d_head, d_model]
        for head in 0..<model.config.nHeads {
            contributions["L\(layer)H\(head)"] = z[head].matmul(W_O[head]).matmul(targetDir).item()
        }
    }
    return contributions
}
let posHeads = try headAttribution(model, positivePrompt, " great"), negHeads = try headAttribution(model, negativePrompt, " great")
let headDiff = posHeads.reduce(into: [String: Float]()) { $0[$1.key] = $1.value - negHeads[$1.key]! }
print("Top heads by attribution difference:")
for (head, diff) in headDiff.sorted(by: { abs($0.value) > abs($1.value) }).prefix(5) { print("\(head): diff=\(String(format: "%+.3f", diff))") }

// § 3.7 Step 5: Validate with patching: the corrupted (hate) residual at the sentiment position, into the
// clean (love) run, after each layer.
func patchPosition(_ model: LensModel, clean: String, corrupted: String, position: Int, layer: Int) throws -> Tensor {
    let (_, corruptedCache) = try model.runWithCache(model.toTokens(corrupted))
    let corruptedResid = try corruptedCache["resid_post", layer]
    return try model.runWithHooks(model.toTokens(clean), hooks: [("blocks.\(layer).hook_resid_post", { resid, _ in
        var resid = resid
        resid[.all, position, .all] = corruptedResid[.all, position, .all]
        return resid
    })])
}
let posTokens = try model.toStrTokens(positivePrompt)
print("Tokens: \(posTokens)")
let sentimentPos = 2                       // BOS, "I", " love": TransformerLens counts the BOS too
let cleanLogit = try getTokenLogit(model, positivePrompt, " great"), great = try model.toSingleToken(" great")
print("Patching 'love' → 'hate' at position \(sentimentPos) ('\(posTokens[sentimentPos])'); original (love → great): \(f2(cleanLogit))")
for layer in 0..<config.nLayers {
    let patched = try patchPosition(model, clean: positivePrompt, corrupted: negativePrompt, position: sentimentPos, layer: layer)
    let patchedLogit = patched[0, -1, great].item()
    print("Layer \(layer): \(f2(patchedLogit)) (change: \(String(format: "%+.2f", patchedLogit - cleanLogit)))")
}

// § 3.8 Step 6: Attention patterns of the head with the largest attribution difference, and of its layer.
let (_, cache) = try model.runWithCache(model.toTokens(positivePrompt))
let important = AttentionHead(parsing: headDiff.max { abs($0.value) < abs($1.value) }!.key)!
let pattern = try cache["pattern", important.layer][0, important.head]          // [seq, seq]
print("Attention of \(important) from the last position: \(zip(posTokens, pattern[-1].scalars).map { "\($0) \(f2($1))" })")
report.figure(AttentionViewer(tokens: posTokens, patterns: try cache["pattern", important.layer][0],
                              headNames: (0..<config.nHeads).map { "L\(important.layer)H\($0)" }))

// § 3.9 Step 7: Interpret (the reader's part). § 3.10 Step 8: Sanity checks: other sentences, a neutral one.
let testCases = [("I really love this book because it is", "positive"), ("We hate the film because it is", "negative"),
                 ("We admire the play because it is", "positive"), ("I despise this phone because it is", "negative")]
print("Generalization test:")
var asExpected = 0
for (prompt, expected) in testCases {
    let greatLogit = try getTokenLogit(model, prompt, " great"), badLogit = try getTokenLogit(model, prompt, " bad")
    let predicted = greatLogit > badLogit ? "positive" : "negative"
    if predicted == expected { asExpected += 1 }
    print("\(predicted == expected ? "✓" : "✗") \(pad(expected, 8)) | great=\(String(format: "%.1f", greatLogit)), bad=\(String(format: "%.1f", badLogit)) | \(prompt)")
}
print("Generalization: \(asExpected)/\(testCases.count) as expected")
let neutral = "I watched this movie because it is"
print("Neutral case: great=\(f2(try getTokenLogit(model, neutral, " great"))), bad=\(f2(try getTokenLogit(model, neutral, " bad")))")
try report.write(toPath: "first-analysis.html")
print("Figures: first-analysis.html")
