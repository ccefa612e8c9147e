/// The Othello-GPT tutorial's patching experiment: a game cut after one move, and the same game with that last
/// move replaced by another legal move, which makes some square `target` illegal for the next player. The
/// clean `attn_out` and `mlp_out` of each layer are patched into the corrupted run at the final position and
/// scored by the target's log-probability there, normalised to 0 (corrupted) … 1 (clean).
public struct FinalMovePatching: Sendable, Encodable {
    /// The game (index in its dataset) and the index of its final move.
    public let game: Int, move: Int
    /// The final move in the clean and the corrupted game (labels).
    public let cleanMove: String, corruptedMove: String
    /// The square legal after the clean move and illegal after the corrupted one.
    public let target: String
    /// The target's log-probability at the final position of the clean and the corrupted run.
    public let cleanLogProb: Float, corruptedLogProb: Float
    /// `[n_layers]`: the normalised metric after patching the final position of `attn_out` of each layer.
    public let attention: [Float]
    /// `[n_layers]`: the same for `mlp_out`.
    public let mlp: [Float]
}

extension LensModel {
    /// Runs `FinalMovePatching` on game `game` of `dataset` cut after move `move` (≥ 1). Of the other legal
    /// moves at that point and the squares each makes illegal, the pair whose target log-probability changes
    /// most between the clean and the corrupted run is used. Throws when no other move changes a square.
    public func finalMovePatching(_ dataset: OthelloDataset, game: Int, move: Int,
                                  showProgress: Bool = false) throws -> FinalMovePatching {
        guard dataset.games.indices.contains(game), (1..<OthelloDataset.positions).contains(move) else {
            throw LensError.invalidArgument("final-move patching needs a game in 0..<\(dataset.count) and a move in 1..<59")
        }
        let moves = dataset.games[game]
        let before = try OthelloBoard(moves: Array(moves[..<move]))
        let clean = try OthelloBoard(moves: Array(moves[...move]))
        let cleanTokens = try moves[...move].map { try OthelloSquares.tokenID(square: $0) }
        let cleanLogProbs = try self(Tensor(ints: cleanTokens, shape: [1, move + 1]))[0, move].logSoftmax(axis: -1)
        var best: (tokens: [Int], corrupted: Int, target: Int, gap: Float, corruptedLogProb: Float)?
        for alternative in before.legalMoves where alternative != moves[move] {
            var corrupted = before
            try corrupted.play(alternative)
            guard corrupted.toMove == clean.toMove else { continue }
            // Squares the corrupted move stops being legal for the next player, other than the one it takes.
            let lost = Set(clean.legalMoves).subtracting(corrupted.legalMoves).subtracting([alternative])
            guard !lost.isEmpty else { continue }
            var tokens = cleanTokens
            tokens[move] = try OthelloSquares.tokenID(square: alternative)
            let logProbs = try self(Tensor(ints: tokens, shape: [1, move + 1]))[0, move].logSoftmax(axis: -1)
            for square in lost.sorted() {
                let id = try OthelloSquares.tokenID(square: square)
                let gap = cleanLogProbs.value(at: [id]) - logProbs.value(at: [id])
                if gap > best?.gap ?? -.infinity { best = (tokens, alternative, square, gap, logProbs.value(at: [id])) }
            }
        }
        guard let best else {
            throw LensError.invalidArgument("no other legal final move of game \(game) at move \(move) makes a square illegal")
        }
        let targetID = try OthelloSquares.tokenID(square: best.target)
        let cleanValue = cleanLogProbs.value(at: [targetID])
        let metric = try PatchingMetric.logProb(tokens: [targetID]).normalized(clean: cleanValue, corrupted: best.corruptedLogProb)
        let layers = transformer.config.nLayers
        let names = (0..<layers).flatMap { [getActName("attn_out", layer: $0), getActName("mlp_out", layer: $0)] }
        let (_, cache) = try runWithCache(Tensor(ints: cleanTokens, shape: [1, move + 1]), names: .names(names))
        let corrupted = Tensor(ints: best.tokens, shape: [1, move + 1])
        let options = PatchingOptions(showProgress: showProgress)
        let finalColumn = { (sweep: PatchSweep) in
            try self.actPatch(sweep, corruptedTokens: corrupted, cleanCache: cache, metric: metric, options: options)[.all, -1].scalars
        }
        return FinalMovePatching(game: game, move: move, cleanMove: OthelloSquares.label(moves[move]),
                                 corruptedMove: OthelloSquares.label(best.corrupted), target: OthelloSquares.label(best.target),
                                 cleanLogProb: cleanValue, corruptedLogProb: best.corruptedLogProb,
                                 attention: try finalColumn(.attnOut), mlp: try finalColumn(.mlpOut))
    }
}
