// A first sentiment analysis on the demo model: does "I love / hate this movie because it is" push
// " great" or " terrible"? Logit differences over many prompts, the layers that write the sentiment
// (direct logit attribution) and where it travels (activation patching).
// Run from the repository root: swift run SentimentAnalysis
import Foundation
import Lens

let model = try LensModel(pretrained: DemoModel.folder())
let great = try model.toSingleToken(" great"), terrible = try model.toSingleToken(" terrible")
let positive = ["love", "like", "adore", "enjoy", "admire"], negative = ["hate", "dislike", "despise", "loathe", "detest"]

// 1. The sentiment logit difference logit(' great') − logit(' terrible') after each verb.
print("logit(' great') − logit(' terrible'):")
var layerTotals: [Float] = [], layerNames: [String] = []
for verb in positive + negative {
    let (logits, cache) = try model.runWithCache("I \(verb) this movie because it is")
    let last = logits[0, logits.shape[1] - 1]
    let difference = last[great].item() - last[terrible].item()
    print("  \(verb.padding(toLength: 8, withPad: " ", startingAt: 0)) \(difference)")
    // 2. Which sublayers write it: direct logit attribution, signed so that positive = "as expected".
    let sign: Float = positive.contains(verb) ? 1 : -1
    let (attribution, names) = try cache.layerAttribution(tokens: .id(great), incorrectTokens: .id(terrible), posSlice: -1)
    let values = attribution.scalars.map { $0 * sign }
    layerTotals = layerTotals.isEmpty ? values : zip(layerTotals, values).map(+)
    layerNames = names
}
print("\nMean attribution towards the right sentiment:")
for (name, total) in zip(layerNames, layerTotals) { print("  \(name): \(total / Float(positive.count + negative.count))") }

// 3. Where the sentiment travels: patch the residual stream of "love" into the "hate" run.
let clean = try model.toTokens("I love this movie because it is"), corrupted = try model.toTokens("I hate this movie because it is")
let logitDiff = try PatchingMetric.logitDiff(answers: [great], wrong: [terrible])
let metric = try logitDiff.normalized(cleanLogits: model(clean), corruptedLogits: model(corrupted))
let resid = try model.transformer.actPatch(.residPre, clean: clean, corrupted: corrupted, metric: metric)
print("\nPatching resid_pre [layer, position] over \(try model.toStrTokens("I love this movie because it is")):\n\(resid)")
