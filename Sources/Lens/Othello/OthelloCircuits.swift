/// The analyses of the Othello-GPT tutorial's "modular circuits" section, on any model and probe directions
/// `[d_model, 8, 8]` (e.g. `BoardProbe.mineDirections`).
public enum OthelloCircuits {
    /// What each attention and MLP layer `0...layer` writes along each square's probe direction at one game
    /// and move (`calculate_attn_and_mlp_probe_score_contributions`): `attn_out` and `mlp_out` of that position
    /// projected on `directions`, `[layer + 1, 8, 8]` each. `cache` holds `attn_out` and `mlp_out` of a batch
    /// of games.
    public static func contributions(cache: ActivationCache, directions: Tensor, upTo layer: Int, game: Int,
                                     move: Int) throws -> (attention: Tensor, mlp: Tensor) {
        (try stacked("attn_out", cache, directions, layer, game, move), try stacked("mlp_out", cache, directions, layer, game, move))
    }

    /// The accumulated residual stream after each layer `0...layer` projected on `directions`
    /// (`calculate_accumulated_probe_score`), `[layer + 1, 8, 8]`; `cache` holds `resid_post`.
    public static func accumulatedScore(cache: ActivationCache, directions: Tensor, upTo layer: Int, game: Int,
                                        move: Int) throws -> Tensor {
        try stacked("resid_post", cache, directions, layer, game, move)
    }

    /// `cache[name, l][game, move]` for `l` in `0...layer` projected on `directions`: `[layer + 1, 8, 8]`.
    private static func stacked(_ name: String, _ cache: ActivationCache, _ directions: Tensor, _ layer: Int,
                                _ game: Int, _ move: Int) throws -> Tensor {
        let vectors = try (0...layer).map { try cache[name, $0][game, move] }
        return try ProbeDirections.project(Tensor.stack(vectors, axis: 0), onto: directions)
    }

    /// The span of the probe directions (each `[d_model, ...]`, flattened to columns and concatenated): the
    /// left singular vectors of the concatenation whose singular values exceed `1e-5 ×` the largest, less the
    /// last `dropping` (the tutorial drops 4: the centre squares' blank directions mean nothing). `[d_model, k]`.
    public static func probeBasis(_ directions: [Tensor], dropping: Int = 0) throws -> Tensor {
        guard let d = directions.first?.shape.first, directions.allSatisfy({ $0.shape.first == d }) else {
            throw LensError.invalidArgument("probe directions must all be [d_model, ...], got \(directions.map(\.shape))")
        }
        let columns = Tensor.concat(directions.map { $0.reshaped([d, -1]) }, axis: 1)
        let (u, s, _) = try columns.svd()
        let values = s.scalars, largest = values.max() ?? 0
        let rank = values.filter { $0 > 1e-5 * largest }.count
        let kept = Swift.max(0, rank - dropping)
        return u[.all, 0..<kept].contiguous()
    }

    /// The cosine similarity of MLP neuron `neuron`'s output weights with the unembedding of every square
    /// (`W_U[:, 1:]`, pass left out), on the board: `[8, 8]`, the centre squares 0.
    public static func unembedBoard(_ model: HookedTransformer, layer: Int, neuron: Int) throws -> Tensor {
        let cosines = try model.neuronUnembedCosines(layer: layer, neuron: neuron)
        guard cosines.count == OthelloSquares.vocabularySize else {
            throw LensError.invalidArgument("the unembedding has \(cosines.count) tokens; Othello-GPT has 61")
        }
        return squaresOnBoard(cosines[1...])
    }

    /// Values `[..., 60]` of the playable squares in token order placed on boards `[..., 8, 8]`, the centre
    /// squares 0 (`board.flatten()[ALL_SQUARES] = values`).
    public static func squaresOnBoard(_ values: Tensor) -> Tensor {
        let leading = Array(values.shape.dropLast())
        var boards = Tensor(zeros: leading + [64])
        boards[flat: OthelloSquares.playable, fromAxis: leading.count] = values
        return boards.reshaped(leading + [8, 8])
    }

    /// Neurons of `post` activations `[games, moves, d_mlp]` ranked by the standard deviation (or kurtosis) of
    /// their activation over the games and moves `3 ..< moves − 3` (the tutorial's `[:, 3:-3]`), largest
    /// first: the top `count` and their scores.
    public static func topNeurons(post: Tensor, by statistic: NeuronStatistic, count: Int) throws -> [(neuron: Int, score: Float)] {
        guard post.rank == 3, post.shape[1] > 6 else {
            throw LensError.invalidArgument("neuron ranking takes post activations [games, moves > 6, d_mlp], got \(post.shape)")
        }
        let middle = post[.all, .range(3, -3)]
        let scores: Tensor
        switch statistic {
        case .standardDeviation: scores = middle.std(axes: [0, 1], correction: 1)
        case .kurtosis: scores = try middle.reduce("game move neuron -> neuron") { x, axes in x.kurtosis(axes: axes) }
        }
        let values = scores.scalars
        return try NeuronRanking.top(scores, count: count).map { ($0, values[$0]) }
    }
}

/// How neurons are ranked.
public enum NeuronStatistic: String, Sendable, CaseIterable {
    /// Standard deviation of the activation: neurons with a broad mix of small and large values.
    case standardDeviation = "std"
    /// Fisher kurtosis of the activation: neurons with rare large outliers.
    case kurtosis
}
