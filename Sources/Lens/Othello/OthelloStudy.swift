/// The Othello-GPT tutorial end to end on one model: legal-move accuracy, board probes per layer, the probe's
/// reading of one focus position, the attention and MLP contributions to the probe directions, the neurons
/// with the most varied (and the most heavy-tailed) activations read through the probe and the unembedding,
/// and patching at the final move.
public struct OthelloStudy: Sendable, Encodable {
    /// What to run.
    public struct Options: Sendable {
        /// Games the probes are fitted on and scored on (the card uses 200 and 100).
        public var trainGames: Int, testGames: Int
        /// Seed of the random games.
        public var seed: UInt64
        /// How the probes are fitted.
        public var method: BoardProbe.Method
        /// The focus position (a test game and a move index) for contributions and patching.
        public var focusGame: Int, focusMove: Int
        /// The layer whose neurons are ranked; nil means the middle layer.
        public var neuronLayer: Int?
        /// How many top neurons are shown.
        public var neuronCount: Int

        /// The defaults of the card and the tutorial (move 20 of a game).
        public init(trainGames: Int = 200, testGames: Int = 100, seed: UInt64 = 1, method: BoardProbe.Method = .leastSquares,
                    focusGame: Int = 0, focusMove: Int = 20, neuronLayer: Int? = nil, neuronCount: Int = 10) {
            (self.trainGames, self.testGames, self.seed, self.method) = (trainGames, testGames, seed, method)
            (self.focusGame, self.focusMove, self.neuronLayer, self.neuronCount) = (focusGame, focusMove, neuronLayer, neuronCount)
        }
    }

    /// One neuron read through the probes and the unembedding.
    public struct Neuron: Sendable, Encodable {
        /// The neuron's layer and index.
        public let layer: Int, neuron: Int
        /// Its standard deviation or kurtosis over the test games.
        public let score: Float
        /// `[8][8]` cosine similarities of its input weights with the blank and the mine probe directions.
        public let inputBlank: [[Float]], inputMine: [[Float]]
        /// `[8][8]` the same for its output weights.
        public let outputBlank: [[Float]], outputMine: [[Float]]
        /// `[8][8]` cosine similarity of its output weights with each square's unembedding (direct logit
        /// attribution onto the legal-move logits).
        public let unembed: [[Float]]
        /// The share of its normalised input and output weights inside the span of the mine probe directions.
        public let inputInMineSpan: Float, outputInMineSpan: Float

        /// `L3N17`.
        public var name: String { "L\(layer)N\(neuron)" }

        /// The label of the square whose unembedding its output weights are most similar to.
        public var topUnembedSquare: String {
            let flat = unembed.flatMap { $0 }
            return OthelloSquares.label(flat.indices.max { flat[$0] < flat[$1] } ?? 0)
        }
    }

    /// Statistics of one neuron's activation over the test games (moves 3 … 55).
    public struct NeuronStats: Sendable, Encodable {
        /// Standard deviation and Fisher kurtosis.
        public let std: Float, kurtosis: Float
        /// The share of its normalised output weights inside the span of the mine probe directions.
        public let outputInMineSpan: Float
    }

    /// The probe of one layer and how well it reads the test games.
    public struct LayerProbe: Sendable, Encodable {
        /// The layer (`resid_post`).
        public let layer: Int
        /// Share of squares of each class read correctly.
        public let accuracy: BoardProbeAccuracy
    }

    /// The model's name.
    public let modelName: String
    /// Share of test positions whose top prediction is a legal move.
    public let legalMoveAccuracy: Float
    /// Games the probes were fitted and scored on.
    public let trainGames: Int, testGames: Int
    /// How the probes were fitted.
    public let probeMethod: String
    /// The probe of every layer's `resid_post`.
    public let probes: [LayerProbe]
    /// The layer whose probe the later analyses use (the best at telling mine from theirs).
    public let probeLayer: Int
    /// The focus position: a test game and a move index.
    public let focusGame: Int, focusMove: Int
    /// `[8][8]` true board classes at the focus (0 blank, 1 theirs, 2 mine) and the legal next moves.
    public let focusState: [[Float]], focusLegal: [String]
    /// `[8][8]` the probe's classes at the focus, read at `probeLayer`.
    public let focusPrediction: [[Float]]
    /// `[layers][8][8]` contributions of `attn_out` and `mlp_out` of layers `0...probeLayer` to the mine and the
    /// blank directions at the focus, and the accumulated residual stream's projection.
    public let attentionToMine: [[[Float]]], mlpToMine: [[[Float]]], residualOnMine: [[[Float]]]
    public let attentionToBlank: [[[Float]]], mlpToBlank: [[[Float]]], residualOnBlank: [[[Float]]]
    /// The layer whose neurons are ranked.
    public let neuronLayer: Int
    /// Its top neurons by standard deviation and by kurtosis.
    public let topByStd: [Neuron], topByKurtosis: [Neuron]
    /// Every neuron of the layer, in index order.
    public let neuronStats: [NeuronStats]
    /// The dimension of the mine probe span and of the residual stream (a random vector has
    /// `mineSpanRank / dModel` of its squared length inside the span).
    public let mineSpanRank: Int, dModel: Int
    /// Patching at the final move of the focus game.
    public let patching: FinalMovePatching
}

extension LensModel {
    /// Runs the whole tutorial on an Othello-GPT (see `OthelloStudy`).
    public func othelloStudy(_ options: OthelloStudy.Options = OthelloStudy.Options()) throws -> OthelloStudy {
        let config = transformer.config, layers = config.nLayers
        guard options.trainGames >= 1, options.testGames >= 1, options.neuronCount >= 1 else {
            throw LensError.invalidArgument("the Othello study needs at least one train game, one test game and one "
                                            + "neuron to show, got \(options.trainGames), \(options.testGames) and \(options.neuronCount)")
        }
        let train = try OthelloDataset.random(count: options.trainGames, seed: options.seed)
        let test = try OthelloDataset.random(count: options.testGames, seed: options.seed &+ 1)
        guard (0..<test.count).contains(options.focusGame), (1..<OthelloDataset.positions).contains(options.focusMove) else {
            throw LensError.invalidArgument("focus game \(options.focusGame) / move \(options.focusMove) outside "
                                            + "\(test.count) test games of 59 moves")
        }
        let neuronLayer = options.neuronLayer ?? layers / 2
        guard (0..<layers).contains(neuronLayer) else {
            throw LensError.layerOutOfRange(neuronLayer, layers: layers, context: "neuron layer")
        }
        let trainResiduals = try othelloActivations(train, names: { "blocks.\($0).hook_resid_post" })
        let (testLogits, testCache) = try runWithCache(test.tokens, names: .filter { name in
            ["hook_resid_post", "hook_attn_out", "hook_mlp_out"].contains { name.hasSuffix($0) }
                || name == "blocks.\(neuronLayer).mlp.hook_post"
        })
        var probes: [BoardProbe] = [], accuracies: [OthelloStudy.LayerProbe] = []
        for layer in 0..<layers {
            let probe = try BoardProbe(fitting: trainResiduals[layer], states: train.states, method: options.method)
            let x = try testCache["resid_post", layer].reshaped([-1, config.dModel])
            accuracies.append(.init(layer: layer, accuracy: try probe.accuracy(x, states: test.states)))
            probes.append(probe)
        }
        let probeLayer = accuracies.indices.max { accuracies[$0].accuracy.mine < accuracies[$1].accuracy.mine } ?? 0
        let (blank, mine) = probes[probeLayer].normalizedDirections
        let (game, move) = (options.focusGame, options.focusMove)
        let toMine = try OthelloCircuits.contributions(cache: testCache, directions: mine, upTo: probeLayer, game: game, move: move)
        let toBlank = try OthelloCircuits.contributions(cache: testCache, directions: blank, upTo: probeLayer, game: game, move: move)
        let mineBasis = try OthelloCircuits.probeBasis([mine])
        let post = try testCache["post", neuronLayer]
        let neurons = { (statistic: NeuronStatistic) in
            try OthelloCircuits.topNeurons(post: post, by: statistic, count: options.neuronCount).map {
                try self.othelloNeuron(layer: neuronLayer, neuron: $0.neuron, score: $0.score, blank: blank, mine: mine,
                                       mineBasis: mineBasis)
            }
        }
        return OthelloStudy(
            modelName: config.modelName ?? "Othello-GPT", legalMoveAccuracy: try test.legalMoveAccuracy(logits: testLogits),
            trainGames: train.count, testGames: test.count, probeMethod: options.method.description, probes: accuracies,
            probeLayer: probeLayer,
            focusGame: game, focusMove: move, focusState: test.state(game: game, move: move).rowArrays,
            focusLegal: test.legalLabels(game: game, move: move),
            focusPrediction: try probes[probeLayer].predict(try testCache["resid_post", probeLayer][game, move])
                .converted(to: .float32).reshaped([8, 8]).rowArrays,
            attentionToMine: toMine.attention.boardArrays, mlpToMine: toMine.mlp.boardArrays,
            residualOnMine: try OthelloCircuits.accumulatedScore(cache: testCache, directions: mine, upTo: probeLayer,
                                                                 game: game, move: move).boardArrays,
            attentionToBlank: toBlank.attention.boardArrays, mlpToBlank: toBlank.mlp.boardArrays,
            residualOnBlank: try OthelloCircuits.accumulatedScore(cache: testCache, directions: blank, upTo: probeLayer,
                                                                  game: game, move: move).boardArrays,
            neuronLayer: neuronLayer, topByStd: try neurons(.standardDeviation), topByKurtosis: try neurons(.kurtosis),
            neuronStats: try othelloNeuronStats(post: post, layer: neuronLayer, mineBasis: mineBasis),
            mineSpanRank: mineBasis.shape[1], dModel: config.dModel,
            patching: try finalMovePatching(test, game: game, move: move))
    }

    /// The activations `names(layer)` of every layer at every position of `dataset`'s games, `[games · 59, d]`
    /// per layer, run in batches of 50 games.
    func othelloActivations(_ dataset: OthelloDataset, names: (Int) -> String) throws -> [Tensor] {
        let layers = transformer.config.nLayers
        var parts = [[Tensor]](repeating: [], count: layers)
        for start in stride(from: 0, to: dataset.count, by: 50) {
            let end = Swift.min(start + 50, dataset.count)
            let (_, cache) = try runWithCache(dataset.tokens[start..<end], names: .names((0..<layers).map(names)))
            for layer in 0..<layers {
                let value = try cache[names(layer)]
                parts[layer].append(value.reshaped([-1, value.shape.last!]))
            }
        }
        return try parts.map { try Tensor.concatenated($0, axis: 0) }
    }

    /// Standard deviation, kurtosis and output share in the mine span of every neuron of `layer`.
    func othelloNeuronStats(post: Tensor, layer: Int, mineBasis: Tensor) throws -> [OthelloStudy.NeuronStats] {
        let middle = post[.all, .range(3, -3)]
        let std = middle.std(axes: [0, 1], correction: 1).scalars, kurtosis = middle.kurtosis(axes: [0, 1]).scalars
        let outputs = try transformer.W_out[layer]
        let unit = ProbeDirections.normalized(outputs.transposed(0, 1)).transposed(0, 1)
        let inSpan = unit.matmul(mineBasis).square().sum(axis: 1).scalars
        return (0..<std.count).map { .init(std: std[$0], kurtosis: kurtosis[$0], outputInMineSpan: inSpan[$0]) }
    }

    /// One neuron read through the normalised probe directions, the unembedding and the mine span.
    func othelloNeuron(layer: Int, neuron: Int, score: Float, blank: Tensor, mine: Tensor,
                       mineBasis: Tensor) throws -> OthelloStudy.Neuron {
        let model = transformer
        let inputWeights = try model.W_in[layer, .all, neuron].contiguous()
        let outputWeights = try model.W_out[layer, neuron].contiguous()
        return OthelloStudy.Neuron(
            layer: layer, neuron: neuron, score: score,
            inputBlank: try model.neuronInputCosines(layer: layer, neuron: neuron, directions: blank).rowArrays,
            inputMine: try model.neuronInputCosines(layer: layer, neuron: neuron, directions: mine).rowArrays,
            outputBlank: try model.neuronOutputCosines(layer: layer, neuron: neuron, directions: blank).rowArrays,
            outputMine: try model.neuronOutputCosines(layer: layer, neuron: neuron, directions: mine).rowArrays,
            unembed: try OthelloCircuits.unembedBoard(model, layer: layer, neuron: neuron).rowArrays,
            inputInMineSpan: try ProbeDirections.fractionInSubspace(inputWeights, basis: mineBasis),
            outputInMineSpan: try ProbeDirections.fractionInSubspace(outputWeights, basis: mineBasis))
    }
}

extension Tensor {
    /// A `[n, 8, 8]` tensor as nested arrays `[n][8][8]`.
    var boardArrays: [[[Float]]] {
        let flat = contiguous().scalars, n = shape[0], size = shape[1] * shape[2]
        return (0..<n).map { k in
            let board = Tensor(Array(flat[(k * size)..<((k + 1) * size)]), shape: [shape[1], shape[2]])
            return board.rowArrays
        }
    }
}
