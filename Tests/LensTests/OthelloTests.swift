import Foundation
import Testing
@testable import Lens
@testable import OthelloGPT

/// The Othello module against the rules of the training script (fixture games), and the Othello-GPT example
/// on the shipped model against its card.
@Suite struct OthelloTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let folder = root.appendingPathComponent("Models/othello")

    /// The card's measurements (`Scripts/othello/evaluate.py`).
    struct Evaluation: Decodable {
        struct Probe: Decodable { let layer: Int, blank: Float, theirs: Float, mine: Float, overall: Float }
        struct Parity: Decodable { let tokens: [Int], logProbs: [[Float]] }
        /// TransformerLens on the probe test games: the example's neuron and patching steps.
        struct Tutorial: Decodable {
            struct Top: Decodable { let neurons: [Int], scores: [Float] }
            struct Patching: Decodable {
                let clean_move: String, corrupted_move: String, target: String
                let clean_log_prob: Float, corrupted_log_prob: Float
                let attn_out: [Float], mlp_out: [Float]
            }
            let top_by_std: Top, top_by_kurtosis: Top
            let neuron: Int
            let unembed_cosines: [Float]
            let patching: Patching
        }
        let legal_move_accuracy: Float, probe_test_legal_move_accuracy: Float
        let probes: [Probe]
        let parity: Parity
        let tutorial: Tutorial
    }

    /// The games the card's probes were fitted (`train`) and scored (`test`) on.
    struct ProbeGames: Decodable { let train: [[Int]], test: [[Int]] }

    static func evaluation() throws -> Evaluation {
        try JSONDecoder().decode(Evaluation.self, from: Data(contentsOf: folder.appendingPathComponent("evaluation.json")))
    }

    /// Games played by Scripts/othello/othello.py: the squares, the legal squares before each move, the board
    /// after each move and the player to move then.
    struct FixtureGame: Decodable {
        let squares: [Int]
        let legal: [[Int]]
        let states: [[Int]]
        let toMove: [Int]
    }

    @Test func boardFollowsTheTrainingScriptsRules() throws {
        let url = Self.root.appendingPathComponent("Tests/Fixtures/othello/games.json")
        let games = try JSONDecoder().decode([FixtureGame].self, from: Data(contentsOf: url))
        #expect(games.count >= 5)
        for game in games {
            var board = OthelloBoard()
            for (i, square) in game.squares.enumerated() {
                #expect(board.legalMoves == game.legal[i], "move \(i)")
                let flips = board.flips(square)
                try board.play(square)
                #expect(board.cells == game.states[i], "board after move \(i)")
                // The flipped stones are exactly the opponent's stones the move turned over.
                let before = i == 0 ? OthelloBoard().cells : game.states[i - 1]
                let turned = (0..<64).filter { before[$0] != 0 && before[$0] != game.states[i][$0] }
                #expect(flips.sorted() == turned && !turned.isEmpty, "flips of move \(i)")
                #expect((board.toMove?.rawValue ?? 0) == game.toMove[i], "player to move after move \(i)")
            }
        }
        // Labels and token ids as the tutorial writes them.
        #expect(OthelloSquares.label(16) == "C0")
        #expect(try OthelloSquares.tokenID(label: "C0") == 17)
        #expect(try OthelloSquares.square(tokenID: 60) == 63)
        #expect(OthelloSquares.playable.count == 60)
        #expect(throws: OthelloError.self) { try OthelloSquares.tokenID(label: "D3") }
        // An illegal move names itself and the legal ones.
        #expect(throws: OthelloError.illegalMove("A0", moveIndex: 0, legal: ["C3", "D2", "E5", "F4"])) {
            try OthelloBoard(moves: [0])
        }
    }

    @Test func relativeStatesAndRandomGames() throws {
        let board = try OthelloBoard(moves: [try OthelloSquares.square(label: "C3")])
        #expect(board.toMove == .white)
        // After black's C3 (flipping D3) white is to move: black's stones are theirs.
        let states = board.relativeStates
        #expect(states[try OthelloSquares.square(label: "D3")] == .theirs)
        #expect(states[try OthelloSquares.square(label: "E4")] == .mine)
        #expect(states[0] == .blank)
        let games = OthelloGames.random(count: 3, seed: 5)
        #expect(games == OthelloGames.random(count: 3, seed: 5))
        #expect(games.allSatisfy { $0.count == 60 && Set($0).count == 60 })
        #expect(games != OthelloGames.random(count: 3, seed: 6))
    }

    /// The shipped model loads from its TransformerLens-format folder and gives TransformerLens's log-probs.
    @Test func shippedModelMatchesTransformerLens() throws {
        let evaluation = try Self.evaluation()
        let model = try OthelloGPT.load(Self.folder)
        let ids = evaluation.parity.tokens
        let logProbs = try model(Tensor(ints: ids, shape: [1, ids.count]))[0].logSoftmax(axis: -1)
        let expected = evaluation.parity.logProbs
        let last = logProbs[(ids.count - expected.count)...].contiguous().scalars
        let reference = expected.flatMap { $0 }
        let error = zip(last, reference).map { abs($0 - $1) }.max() ?? .infinity
        #expect(error < 1e-4, "max |Δ log p| \(error)")
    }

    /// The example walkthrough on the shipped model, on the games the card was measured on: the probe
    /// accuracies of the card's table and the legal-move accuracy TransformerLens gives on the test games
    /// (least squares in float32 here, float64 in NumPy: a square near a tie may flip, so 0.005).
    @Test func walkthroughMatchesTheModelCard() throws {
        let evaluation = try Self.evaluation()
        let games = try JSONDecoder().decode(ProbeGames.self,
                                             from: Data(contentsOf: Self.folder.appendingPathComponent("probe_games.json")))
        let train = try OthelloDataset(games: games.train), test = try OthelloDataset(games: games.test)
        var lines: [String] = []
        let findings = try walkthrough(folder: Self.folder, train: train, test: test) { lines.append($0) }
        #expect(abs(findings.legalMoveAccuracy - evaluation.probe_test_legal_move_accuracy) < 1e-3)
        #expect(findings.probeAccuracy.count == evaluation.probes.count)
        for (swift, card) in zip(findings.probeAccuracy, evaluation.probes) {
            for (measured, expected, name) in [(swift.blank, card.blank, "blank"), (swift.theirs, card.theirs, "theirs"),
                                               (swift.mine, card.mine, "mine"), (swift.overall, card.overall, "overall")] {
                #expect(abs(measured - expected) < 0.005, "layer \(card.layer) \(name): \(measured) vs card \(expected)")
            }
        }
        #expect(lines.contains { $0.hasPrefix("patching") })
        try expectTutorialSteps(findings, match: evaluation.tutorial)
    }

    /// The walkthrough's neuron ranking, neuron DLA and final-move patching against TransformerLens on the same
    /// games. A rank may swap with a neighbour whose score is within the tolerance, so each Swift neuron must
    /// have the reference score of its rank. Scores within 1e-5 (std) and 1e-4 relative (kurtosis: means of fourth
    /// powers in float32 on both sides, 6e-6 relative apart when written); cosines within 1e-5; normalised
    /// patching within 1e-4.
    func expectTutorialSteps(_ findings: WalkthroughFindings, match reference: Evaluation.Tutorial) throws {
        for (swift, top, tolerance) in [(findings.topByStd, reference.top_by_std, Float(1e-5)),
                                        (findings.topByKurtosis, reference.top_by_kurtosis, 1e-4)] {
            #expect(swift.count == 5)
            for (k, (neuron, score)) in swift.enumerated() {
                let bound = tolerance * max(1, abs(top.scores[k]))
                #expect(abs(score - top.scores[k]) < bound, "rank \(k): \(score) vs \(top.scores[k])")
                let rank = try #require(top.neurons.firstIndex(of: neuron), "L3N\(neuron) is not in the reference top 10")
                #expect(abs(top.scores[rank] - top.scores[k]) < bound, "L3N\(neuron) at rank \(k), reference rank \(rank)")
            }
        }
        #expect(findings.topByStd.first?.neuron == reference.neuron)
        let cosineError = zip(findings.unembedCosines, reference.unembed_cosines).map { abs($0 - $1) }.max() ?? .infinity
        #expect(findings.unembedCosines.count == 60 && cosineError < 1e-5, "max |Δ cos| \(cosineError)")
        let patching = try #require(findings.patching), expected = reference.patching
        #expect([patching.cleanMove, patching.corruptedMove, patching.target]
                == [expected.clean_move, expected.corrupted_move, expected.target])
        #expect(abs(patching.cleanLogProb - expected.clean_log_prob) < 1e-4
                && abs(patching.corruptedLogProb - expected.corrupted_log_prob) < 1e-4)
        let patchError = zip(patching.attention + patching.mlp, expected.attn_out + expected.mlp_out).map { abs($0 - $1) }.max() ?? .infinity
        #expect(patching.attention.count == expected.attn_out.count && patchError < 1e-4, "max |Δ patching| \(patchError)")
    }

    /// `lens othello`'s study on a handful of games: every analysis runs, the numbers agree with each other and
    /// the report is well-formed with every section.
    @Test func studyRunsEveryAnalysis() throws {
        let model = try OthelloGPT.load(Self.folder)
        let study = try model.othelloStudy(.init(trainGames: 6, testGames: 3, seed: 4, focusGame: 1, focusMove: 12,
                                                 neuronLayer: 2, neuronCount: 3))
        let layers = model.config.nLayers
        #expect(study.probes.count == layers && study.probeLayer < layers)
        #expect(study.probes[study.probeLayer].accuracy.mine == study.probes.map(\.accuracy.mine).max())
        #expect(study.mlpToMine.count == study.probeLayer + 1 && study.residualOnBlank.count == study.probeLayer + 1)
        // The accumulated residual after layer l is the embeddings plus every attention and MLP output up to l.
        let last = study.probeLayer
        var written = [Float](repeating: 0, count: 64)
        for l in stride(from: 1, through: last, by: 1) {
            let attention = study.attentionToMine[l].flatMap { $0 }, mlp = study.mlpToMine[l].flatMap { $0 }
            for k in 0..<64 { written[k] += attention[k] + mlp[k] }
        }
        let after = study.residualOnMine[last].flatMap { $0 }, first = study.residualOnMine[0].flatMap { $0 }
        #expect((0..<64).allSatisfy { abs(after[$0] - first[$0] - written[$0]) < 1e-3 })
        #expect(study.topByStd.count == 3 && study.neuronStats.count == model.config.dMLP)
        let top = study.topByStd[0]
        #expect(top.score == study.neuronStats.map(\.std).max() && top.name == "L2N\(top.neuron)")
        #expect(study.patching.attention.count == layers && study.patching.cleanLogProb > study.patching.corruptedLogProb)
        let html = study.report().html()
        #expect(ReportXML.parse(html) == nil)
        for title in ["Board probes by layer", "The focus position and what writes it", "Patching at the final move",
                      "Top neurons of layer 2 by kurtosis"] {
            #expect(html.contains(title), "missing \(title)")
        }
        #expect(study.summary.contains("Patching at the final move: game 1 move 12"))
        #expect(throws: LensError.self) { try model.othelloStudy(.init(trainGames: 0, testGames: 3)) }
    }

    /// Board probes on activations that encode the board linearly (each square's class adds its own random
    /// direction, plus noise): least squares and logistic probes both read every square back, and the
    /// directions have the tutorial's layout (`[d_model, 8, 8, 3]`, blank and mine directions, centre blanks 0).
    @Test func boardProbesReadALinearBoard() throws {
        let games = try OthelloDataset(games: OthelloGames.random(count: 4, seed: 9))
        let rows = games.count * OthelloDataset.positions, d = 160
        let codes = Tensor.randomNormal([192, d], seed: 1)
        var oneHot = [Float](repeating: 0, count: rows * 192)
        for (i, c) in games.states.enumerated() { oneHot[i * 3 + c] = 1 }
        let x = Tensor(oneHot, shape: [rows, 192]).matmul(codes) + Tensor.randomNormal([rows, d], std: 0.1, seed: 2)
        // The logistic probe fits only the first 100 rows (minutes of L-BFGS in a debug build otherwise) and is
        // scored on them; the least-squares probe on every row.
        for (method, scored) in [(BoardProbe.Method.leastSquares, rows),
                                 (.logistic(l2: 1e-4, maxRows: 100, gradientTolerance: 1e-3), 100)] {
            let probe = try BoardProbe(fitting: x, states: games.states, method: method)
            let accuracy = try probe.accuracy(x[0..<scored], states: Array(games.states.prefix(scored * 64)))
            #expect(accuracy.overall > 0.99 && accuracy.blank > 0.99 && accuracy.mine > 0.99, "\(method): \(accuracy)")
            #expect(probe.directions.shape == [d, 8, 8, 3] && probe.mineDirections.shape == [d, 8, 8])
            let (blank, mine) = probe.normalizedDirections
            #expect(blank[.all, 3, 4].abs().max().item() == 0 && abs(mine[.all, 3, 4].norm().item() - 1) < 1e-5)
            #expect(abs(blank[.all, 0, 0].norm().item() - 1) < 1e-5)
        }
        #expect(throws: LensError.self) { try BoardProbe(fitting: x, states: Array(games.states.dropLast())) }
    }
}
