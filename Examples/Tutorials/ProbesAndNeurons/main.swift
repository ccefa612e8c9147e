// Tutorial 003, Othello-GPT "Looking for modular circuits", section by section on the demo model. The
// demo model plays no Othello: its "board" is the sentiment of a review ("I love / hate this movie because
// it is"), read by two linear probes fitted here per layer — a binary sentiment probe (the tutorial's
// my-vs-their probe, `[d_model, 1]`) and a 3-way subject probe (the blank probe, `[d_model, 3]`). Every
// technique of the chapter runs on them unchanged: probe scores across layers, attention and MLP
// contributions to a probe direction (einsum), normalised probe directions, a neuron's input and output
// weights in the probe basis, the fraction inside the probe subspace (SVD), neuron DLA, neurons ranked by
// standard deviation and kurtosis, and patching at the final position with a log-prob metric.
// The chapter on the Othello-GPT itself (Models/othello: board states, legal moves, 8x8 board figures) is the
// OthelloGPT example (swift run -c release OthelloGPT). Run this one: swift run TutorialProbesAndNeurons
import Foundation
import Lens

func f3(_ x: Float) -> String { String(format: "%+.3f", x) }

let model = try LensModel(pretrained: DemoModel.folder())
let nLayers = model.config.nLayers, dModel = model.config.dModel

// The dataset (the tutorial's focus games): every subject × verb × noun, labelled by sentiment and subject.
let subjects = ["I", "We", "They"], positive = ["love", "like", "adore", "enjoy", "admire"]
let negative = ["hate", "dislike", "despise", "loathe", "detest"], nouns = ["movie", "book", "film", "show", "game", "play"]
var prompts: [String] = [], sentiment: [Int] = [], subject: [Int] = []
for (s, who) in subjects.enumerated() {
    for verb in positive + negative {
        for noun in nouns {
            prompts.append("\(who) \(verb) the \(noun) because it is")
            sentiment.append(positive.contains(verb) ? 1 : 0)
            subject.append(s)
        }
    }
}
// Every prompt has the same length (one token per word), so they run as one batch: `focus_cache`.
let tokens = Tensor.concat(try prompts.map { try model.toTokens($0) }, axis: 0)    // [N, pos]
let (_, focusCache) = try model.runWithCache(tokens)
let train = Array(stride(from: 0, to: prompts.count, by: 2)), test = Array(stride(from: 1, to: prompts.count, by: 2))
func lastResid(_ layer: Int, _ rows: [Int]) throws -> Tensor {                   // resid_post at the last position
    try focusCache["resid_post", layer][.all, -1, .all].indexSelect(rows, axis: 0)
}

// § Probing across layers: one probe of each kind per layer, accuracy on the held-out half.
var sentimentProbes: [LinearProbe] = [], subjectProbes: [LinearProbe] = []
for layer in 0..<nLayers {
    let x = try lastResid(layer, train), xTest = try lastResid(layer, test)
    let s = try ProbeFitting.logistic(x, labels: train.map { sentiment[$0] }, l2: 1e-2).probe
    let w = try ProbeFitting.logistic(x, labels: train.map { subject[$0] }, classes: 3, l2: 1e-2).probe
    sentimentProbes.append(s)
    subjectProbes.append(w)
    print("layer \(layer): sentiment probe accuracy \(try s.accuracy(xTest, labels: test.map { sentiment[$0] })), "
          + "subject probe accuracy \(try w.accuracy(xTest, labels: test.map { subject[$0] }))")
}
let layer = nLayers - 1, gameIndex = 1
let myProbe = sentimentProbes[layer].weights, blankProbe = subjectProbes[layer].weights    // [d_model, k]
print("Focus prompt #\(gameIndex): '\(prompts[gameIndex])'; probe outputs (layer \(layer)):",
      try sentimentProbes[layer].scores(focusCache["resid_post", layer][gameIndex, -1]))

// § Exercise: attention and MLP contributions to the probe direction, layer by layer (marginal, not accumulated).
func attnAndMLPProbeScoreContributions(_ cache: ActivationCache, _ probe: Tensor, layer: Int, gameIndex: Int) throws -> (Tensor, Tensor) {
    let attn = Tensor.stack(try (0...layer).map { try cache["attn_out", $0][gameIndex, -1] })   // [layers, d_model]
    let mlp = Tensor.stack(try (0...layer).map { try cache["mlp_out", $0][gameIndex, -1] })
    return (try Tensor.einsum("layers d_model, d_model k -> layers k", attn, probe),
            try Tensor.einsum("layers d_model, d_model k -> layers k", mlp, probe))
}
// § Exercise: the accumulated residual stream's probe score after each layer.
func accumulatedProbeScore(_ cache: ActivationCache, _ probe: Tensor, layer: Int, gameIndex: Int) throws -> Tensor {
    let resid = Tensor.stack(try (0...layer).map { try cache["resid_post", $0][gameIndex, -1] })
    return try Tensor.einsum("layer d_model, d_model k -> layer k", resid, probe)
}
for (name, probe) in [("sentiment (my vs their)", myProbe), ("subject (blank)", blankProbe)] {
    let (attn, mlp) = try attnAndMLPProbeScoreContributions(focusCache, probe, layer: layer, gameIndex: gameIndex)
    print("\(name) probe — attn contributions \(attn.rowArrays), MLP contributions \(mlp.rowArrays)")
    print("  accumulated residual score \(try accumulatedProbeScore(focusCache, probe, layer: layer, gameIndex: gameIndex).rowArrays)")
}

// § Reading off neuron weights: probes normalised per direction (`probe / probe.norm(dim=0, keepdim=True)`).
let blankProbeNormalised = blankProbe / blankProbe.norm(axes: [0], keepDims: true)
let myProbeNormalised = myProbe / myProbe.norm(axes: [0], keepDims: true)
func getWIn(_ model: LensModel, layer: Int, neuron: Int, normalize: Bool = false) throws -> Tensor {
    let wIn = try model.W_in[layer, .all, neuron]         // a view of a stacked copy: the weights stay untouched
    return normalize ? wIn / wIn.norm(axes: [0], keepDims: true) : wIn
}
func getWOut(_ model: LensModel, layer: Int, neuron: Int, normalize: Bool = false) throws -> Tensor {
    let wOut = try model.W_out[layer, neuron, .all]
    return normalize ? wOut / wOut.norm(axes: [0], keepDims: true) : wOut
}
func neuronInputWeights(_ model: LensModel, _ probe: Tensor, layer: Int, neuron: Int) throws -> Tensor {
    try Tensor.einsum("d_model, d_model k -> k", getWIn(model, layer: layer, neuron: neuron, normalize: true), probe)
}
func neuronOutputWeights(_ model: LensModel, _ probe: Tensor, layer: Int, neuron: Int) throws -> Tensor {
    try Tensor.einsum("d_model, d_model k -> k", getWOut(model, layer: layer, neuron: neuron, normalize: true), probe)
}

// The neuron of the last layer whose activation at the last position varies most over the prompts
// (`focus_cache["post", layer][:, -1].std(dim=0).argsort(descending=True)`).
let post = try focusCache["post", layer][.all, -1, .all]                               // [N, d_mlp]
let topNeurons = try NeuronRanking.top(NeuronRanking.standardDeviation(post), count: 5)
let neuron = topNeurons[0]
print("L\(layer)N\(neuron) input weights in the probe basis: my \(try neuronInputWeights(model, myProbeNormalised, layer: layer, neuron: neuron)), "
      + "blank \(try neuronInputWeights(model, blankProbeNormalised, layer: layer, neuron: neuron))")
// The library's one-call form agrees: cosine of W_in[:, n] with each direction.
print("neuronInputCosines:", try model.transformer.neuronInputCosines(layer: layer, neuron: neuron, directions: myProbe))

// § Test the hypothesis with direct logit attribution: cosine of the output weights with W_U columns.
let adjectives = [" great", " wonderful", " perfect", " terrible", " bad", " awful"]
let adjectiveIDs = try adjectives.map { try model.toSingleToken($0) }
let wOut = try getWOut(model, layer: layer, neuron: neuron, normalize: true)
let WUNormalized = try model.W_U.indexSelect(adjectiveIDs, axis: 1)
let cosSim = wOut.matmul(WUNormalized / WUNormalized.norm(axes: [0], keepDims: true))             // [6]
print("Cosine of L\(layer)N\(neuron)'s output weights with:", zip(adjectives, cosSim.scalars).map { "\($0) \(f3($1))" })

// § How much variance does the probe explain? `t.svd` of both probes side by side: `Tensor.svd` returns
// Vh (torch.linalg.svd's convention), not torch.svd's V.
let (U, S, _) = try Tensor.concat([myProbe, blankProbe], axis: 1).svd()
// The three subject columns sum to zero (softmax probe), so the last direction is empty: drop it, as the
// tutorial drops the 4 centre cells that are never blank.
let probeSpaceBasis = U[.all, ..<(U.shape[1] - 1)]
print("Singular values of the probe basis:", S)
let wIn = try getWIn(model, layer: layer, neuron: neuron, normalize: true)
print("Fraction of input weights in probe basis: \(String(format: "%.4f", wIn.matmul(probeSpaceBasis).pow(2).sum().item()))")
print("Fraction of output weights in probe basis: \(String(format: "%.4f", try ProbeDirections.fractionInSubspace(wOut, basis: probeSpaceBasis)))")

// § More neurons: the top neurons by standard deviation, their output weights along both probes; and by
// kurtosis (`einops.reduce(x, "game move neuron -> neuron", reduction=kurtosis)`).
for n in topNeurons {
    print("L\(layer)N\(n): output along blank \(try neuronOutputWeights(model, blankProbeNormalised, layer: layer, neuron: n).scalars.map(f3)), "
          + "along my \(try neuronOutputWeights(model, myProbeNormalised, layer: layer, neuron: n).scalars.map(f3))")
}
print("Top neurons by kurtosis:", try NeuronRanking.top(NeuronRanking.kurtosis(post), count: 5))
// The same with einops's custom reduction: a closure over the reduced axes.
let kurtosis = try post.reduce("prompt neuron -> neuron") { x, axes in
    let z = (x - x.mean(axes: axes, keepDims: true)) / x.std(axes: axes, keepDims: true, correction: 1)
    return z.pow(4).mean(axes: axes) - 3
}
print("Top neurons by kurtosis (einops reduce):", try NeuronRanking.top(kurtosis, count: 5))

// § Activation patching at the final position. Clean and corrupted differ only in the last token, as the
// tutorial's games differ only in the last move; the metric is linear in the log-probs of one token.
let clean = try model.toTokens("I love the movie because it is really"), corrupted = try model.toTokens("I love the movie because it is the")
let target = try model.toSingleToken(" great")
let (cleanLogits, cleanCache) = try model.runWithCache(clean)
let corruptedLogits = try model(corrupted)
let cleanLogProb = cleanLogits.logSoftmax(axis: -1)[0, -1, target].item()
let corruptedLogProb = corruptedLogits.logSoftmax(axis: -1)[0, -1, target].item()
print("Clean log prob: \(f3(cleanLogProb)); corrupted log prob: \(f3(corruptedLogProb))")
func patchingMetric(_ patchedLogits: Tensor) -> Float {
    (patchedLogits.logSoftmax(axis: -1)[0, -1, target].item() - corruptedLogProb) / (cleanLogProb - corruptedLogProb)
}
// `patch_final_move_output` as a hook, and `get_act_patch_resid_pre`'s loop over attn_out / mlp_out.
let patchFinalMoveOutput: HookFunction = { activation, hook in
    var activation = activation
    activation[0, -1, .all] = try cleanCache[hook.name][0, -1, .all]
    return activation
}
var results = Tensor.zeros([2, nLayers])
for (i, activation) in ["attn_out", "mlp_out"].enumerated() {
    for l in 0..<nLayers {
        let patchedLogits = try model.runWithHooks(corrupted, hooks: [(.name(getActName(activation, layer: l)), patchFinalMoveOutput)])
        results[i, l] = Tensor(scalar: patchingMetric(patchedLogits))
    }
}
print("Layer output patching effect on ' great' log prob [attn, mlp] × layer:\n\(results)")
// The library's sweep with the same metric (`PatchingMetric.logProb` normalised) gives the same numbers.
let metric = try PatchingMetric.logProb(tokens: [target]).normalized(clean: cleanLogProb, corrupted: corruptedLogProb)
let sweep = try model.actPatch(.attnOut, corruptedTokens: corrupted, cleanCache: cleanCache, metric: metric,
                               options: PatchingOptions(showProgress: false))
let sweepDifference = (sweep[.all, -1] - results[0]).abs().max().item()
print("actPatch(.attnOut) at the last position: \(sweep[.all, -1].scalars) (the hook loop's within 1e-5: \(sweepDifference <= 1e-5))")
