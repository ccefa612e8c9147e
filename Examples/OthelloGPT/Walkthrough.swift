// The Othello-GPT tutorial ("Looking for modular circuits"), step by step in Swift on the small Othello-GPT in
// Models/othello. `swift test` runs it on the games of the model card (Models/othello/probe_games.json) and checks
// the probe accuracies against the card.
import Foundation
import Lens

/// What the walkthrough measured.
struct WalkthroughFindings {
    var legalMoveAccuracy: Float = 0
    var probeAccuracy: [BoardProbeAccuracy] = []
    /// The middle layer's top 5 neurons by standard deviation and by kurtosis, with their scores.
    var topByStd: [(neuron: Int, score: Float)] = [], topByKurtosis: [(neuron: Int, score: Float)] = []
    /// Cosine similarity of the top neuron's output weights with the unembedding of tokens 1…60.
    var unembedCosines: [Float] = []
    /// Patching at the final move of the focus game.
    var patching: FinalMovePatching?
}

/// Runs the tutorial on the Othello-GPT in `folder` with probes fitted on the `train` games and scored on the
/// `test` games, printing each step; `say` receives the printed lines.
func walkthrough(folder: URL, train: OthelloDataset, test: OthelloDataset,
                 say: (String) -> Void = { print($0) }) throws -> WalkthroughFindings {
    var findings = WalkthroughFindings()
    let model = try OthelloGPT.load(folder)
    let cfg = model.config
    say("\(cfg.modelName ?? "model"): \(cfg.nLayers) layers, d_model \(cfg.dModel), d_mlp \(cfg.dMLP ?? 0)")

    // The model reads moves 0...58 of each game and predicts the next move at every position.
    let names = (0..<cfg.nLayers).flatMap { l in ["resid_post", "attn_out", "mlp_out", "post"].map { getActName($0, layer: l) } }
    let (logits, focusCache) = try model.runWithCache(test.tokens, names: .names(names))
    findings.legalMoveAccuracy = try test.legalMoveAccuracy(logits: logits)
    say("legal-move accuracy: \(findings.legalMoveAccuracy)")

    // A linear probe of the board (blank / theirs / mine relative to the player to move) on every layer.
    var probes: [BoardProbe] = []
    let residNames = (0..<cfg.nLayers).map { getActName("resid_post", layer: $0) }
    let (_, trainCache) = try model.runWithCache(train.tokens, names: .names(residNames))
    for layer in 0..<cfg.nLayers {
        let probe = try BoardProbe(fitting: try trainCache["resid_post", layer].reshaped([-1, cfg.dModel]), states: train.states)
        let accuracy = try probe.accuracy(try focusCache["resid_post", layer].reshaped([-1, cfg.dModel]), states: test.states)
        say("probe L\(layer): blank \(accuracy.blank), theirs \(accuracy.theirs), mine \(accuracy.mine)")
        probes.append(probe)
        findings.probeAccuracy.append(accuracy)
    }
    let layer = findings.probeAccuracy.indices.max { findings.probeAccuracy[$0].mine < findings.probeAccuracy[$1].mine }!
    let (game, move) = (1, 20)

    // Probe directions normalised per square; the centre squares are never blank, so their blank direction is 0.
    var blankProbe = ProbeDirections.normalized(probes[layer].blankDirections)
    blankProbe[.all, [3, 3, 4, 4], [3, 4, 3, 4]] = Tensor(scalar: 0)
    let myProbe = ProbeDirections.normalized(probes[layer].mineDirections)
    say("board after move \(move) of game \(game):\n\(try OthelloBoard(moves: Array(test.games[game][...move])))")

    // What each layer's attention and MLP write along the "mine vs theirs" directions at that position.
    let (attn, mlp) = try OthelloCircuits.contributions(cache: focusCache, directions: myProbe, upTo: layer, game: game, move: move)
    let attnSize = attn.abs().sum(axes: [1, 2]).scalars, mlpSize = mlp.abs().sum(axes: [1, 2]).scalars
    say("Σ|contribution| to mine by layer, attention: \(attnSize.map { String(format: "%.1f", $0) })")
    say("                                  MLP:       \(mlpSize.map { String(format: "%.1f", $0) })")

    // Neurons with the most varied activations (positions 3 ..< 56), by standard deviation and by kurtosis.
    let neuronLayer = cfg.nLayers / 2
    let post = try focusCache["post", neuronLayer][.all, .range(3, -3)]
    let std = post.std(axes: [0, 1], correction: 1)
    let kurtosis = try post.reduce("game move neuron -> neuron") { x, axes in x.kurtosis(axes: axes) }
    let byStd = std.argsort(descending: true)[0..<5].intScalars, byKurtosis = kurtosis.argsort(descending: true)[0..<5].intScalars
    let (stds, kurtoses) = (std.scalars, kurtosis.scalars)
    findings.topByStd = byStd.map { ($0, stds[$0]) }
    findings.topByKurtosis = byKurtosis.map { ($0, kurtoses[$0]) }
    say("L\(neuronLayer) top neurons by std \(byStd), by kurtosis \(byKurtosis)")

    // The top neuron's weights read through the probes, the share inside the probe span (SVD), and its direct
    // effect on the legal-move logits.
    let neuron = byStd[0]
    let inputMine = try model.transformer.neuronInputCosines(layer: neuronLayer, neuron: neuron, directions: myProbe)
    let outputBlank = try model.transformer.neuronOutputCosines(layer: neuronLayer, neuron: neuron, directions: blankProbe)
    say("L\(neuronLayer)N\(neuron): largest |input · mine| \(inputMine.abs().max().item()), "
        + "largest |output · blank| \(outputBlank.abs().max().item())")
    let basis = try OthelloCircuits.probeBasis([myProbe])
    let wIn = try model.W_in[neuronLayer, .all, neuron].contiguous(), wOut = try model.W_out[neuronLayer, neuron].contiguous()
    say("  share in the \(basis.shape[1])-dimensional mine span: input "
        + "\(try ProbeDirections.fractionInSubspace(wIn, basis: basis)), output \(try ProbeDirections.fractionInSubspace(wOut, basis: basis)) "
        + "(a random direction: \(Float(basis.shape[1]) / Float(cfg.dModel)))")
    // The tutorial's basis: both probes' (unnormalised) directions, less the last 4 singular vectors (the centre
    // squares' blank directions mean nothing).
    let both = try OthelloCircuits.probeBasis([probes[layer].mineDirections, probes[layer].blankDirections], dropping: 4)
    say("  share in the \(both.shape[1])-dimensional span of both probes: input "
        + "\(try ProbeDirections.fractionInSubspace(wIn, basis: both)) (a random direction: \(Float(both.shape[1]) / Float(cfg.dModel)))")
    var unembed = Tensor(zeros: [8, 8])
    let cosines = try model.transformer.neuronUnembedCosines(layer: neuronLayer, neuron: neuron)[1...].contiguous()
    findings.unembedCosines = cosines.scalars
    unembed[flat: OthelloSquares.playable] = cosines
    let topSquare = unembed.reshaped([64]).argmax().intScalars[0]
    say("  its output is closest to the unembedding of \(OthelloSquares.label(topSquare))")

    // Patching attn_out and mlp_out at the final move of a game whose last move is swapped for another.
    let patching = try model.finalMovePatching(test, game: game, move: move)
    findings.patching = patching
    say("patching \(patching.cleanMove) → \(patching.corruptedMove) (\(patching.target) becomes illegal): "
        + "attn \(patching.attention.map { String(format: "%.2f", $0) }), mlp \(patching.mlp.map { String(format: "%.2f", $0) })")
    return findings
}
