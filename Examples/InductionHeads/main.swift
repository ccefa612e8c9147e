// The induction-head hunt on the demo model: random tokens written twice, the loss on the repeat,
// the heads that attend to the token after the earlier occurrence, and what breaks without them.
// Run from the repository root: swift run InductionHeads
import Foundation
import Lens

let model = try LensModel(pretrained: DemoModel.folder())
let transformer = model.transformer
let length = 50
let tokens = try transformer.repeatedRandomTokens(length: length, batch: 4, seed: 0)   // [4, 1 + 2·50]

// 1. Mean next-token loss over the first half and over the repeat.
func losses(_ logits: Tensor) -> (first: Float, repeat: Float) {
    let logProbs = logits.logSoftmax(axis: -1), ids = tokens.intScalars, width = tokens.shape[1]
    func mean(_ positions: Range<Int>) -> Float {
        var total: Float = 0
        for b in 0..<tokens.shape[0] { for i in positions { total -= logProbs.value(at: [b, i, ids[b * width + i + 1]]) } }
        return total / Float(tokens.shape[0] * positions.count)
    }
    return (mean(0..<length), mean(length..<(2 * length)))
}
let baseline = losses(try model(tokens))
print("loss on the first half \(baseline.first), on the repeat \(baseline.repeat)")

// 2. Induction scores: mean attention from each repeated token to the token after its first occurrence.
let scores = try transformer.inductionScores(repeatedTokens: tokens, length: length)
print("\nInduction scores [layer, head]:\n\(scores)")
let best = scores.argmax().intScalars[0], nHeads = model.config.nHeads
let (layer, head) = (best / nHeads, best % nHeads)
print("best induction head: L\(layer)H\(head), score \(scores.value(at: [layer, head]))")

// 3. Induction heads need a previous-token head in an earlier layer (TransformerLens's head detector).
let previous = try transformer.detectHead(sequences: (0..<4).map { tokens[$0].intScalars }, pattern: .previousToken)
print("\nPrevious-token scores [layer, head]:\n\(previous)")

// 4. Zero the best induction head: the loss on the repeat goes up.
let ablated = losses(try transformer.ablate(tokens, .head(layer: layer, head: head)))
print("\nwith L\(layer)H\(head) zeroed: loss on the repeat \(baseline.repeat) → \(ablated.repeat)")
