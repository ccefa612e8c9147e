// A linear probe on cached activations: at which layer can a logistic regression read the sentiment of
// "I love / hate this <noun> because it is" off the residual stream at the last position?
// Trained on some nouns, tested on the others. Run from the repository root: swift run SentimentProbe
import Foundation
import Lens

let model = try LensModel(pretrained: DemoModel.folder())
let positive = ["love", "like", "adore", "enjoy", "admire"], negative = ["hate", "dislike", "despise", "loathe", "detest"]
let nouns = ["movie", "book", "song", "game", "show", "album", "film", "play", "car", "phone", "hotel", "city", "park", "story"]
let templates = ["I {v} this {n} because it is", "We {v} the {n} because it is really", "They {v} that {n} since it is"]
let testNouns = Set(nouns.suffix(4))

// 1. Cache the residual stream before every layer and after the last one, at each prompt's last token.
// The prompts of a template run as one right-padded batch: a causal model's real tokens never see the padding.
let layers = model.config.nLayers
let hooks = (0..<layers).map { "blocks.\($0).hook_resid_pre" } + ["blocks.\(layers - 1).hook_resid_post"]
var features = [[Tensor]](repeating: [], count: hooks.count)   // [hook][prompt] -> [d_model]
var labels: [Int] = [], isTest: [Bool] = []
for template in templates {
    var texts: [String] = []
    for noun in nouns {
        for (verbs, label) in [(positive, 1), (negative, 0)] {
            for verb in verbs {
                texts.append(template.replacingOccurrences(of: "{v}", with: verb).replacingOccurrences(of: "{n}", with: noun))
                labels.append(label)
                isTest.append(testNouns.contains(noun))
            }
        }
    }
    let batch = model.tokenizer!.toTokens(texts)
    let (_, cache) = try model.runWithCache(batch.tokens, names: .names(hooks))
    for (row, mask) in batch.attentionMask.enumerated() {
        let last = mask.reduce(0, +) - 1
        for (k, hook) in hooks.enumerated() { features[k].append(try cache[hook][row, last]) }
    }
}

// 2. One logistic-regression probe per layer, trained on the training nouns, scored on the held-out nouns.
let train = labels.indices.filter { !isTest[$0] }, test = labels.indices.filter { isTest[$0] }
print("\(train.count) training and \(test.count) test prompts")
for (k, hook) in hooks.enumerated() {
    let x = Tensor.stack(features[k], axis: 0)                  // [prompts, d_model]
    let (probe, _) = try ProbeFitting.logistic(try x.indexSelect(train, axis: 0), labels: train.map { labels[$0] }, l2: 1e-2,
                                               gradientTolerance: 1e-6)
    let accuracy = try probe.accuracy(try x.indexSelect(test, axis: 0), labels: test.map { labels[$0] })
    print("  \(hook.padding(toLength: 28, withPad: " ", startingAt: 0)) held-out accuracy \(accuracy)")
}
