import Foundation

/// Games encoded for Othello-GPT: the model reads moves 0…58 of a 60-move game (`n_ctx` 59) and at position
/// `p` predicts move `p + 1`. For every position it holds the board after move `p` relative to the player to
/// move and the tokens that are legal next.
public struct OthelloDataset: Sendable {
    /// The games, 60 squares each.
    public let games: [[Int]]
    /// Token ids of moves 0…58, `[games, 59]`.
    public let tokens: Tensor
    /// `states[(g · 59 + p) · 64 + square]`: the class (`OthelloCellState.rawValue`) of each square after move
    /// `p` of game `g`, relative to the player to move.
    public let states: [Int]
    /// `legal[(g · 59 + p) · 61 + token]`: whether token `token` is a legal move `p + 1` of game `g`.
    public let legal: [Bool]

    /// Positions per game.
    public static let positions = 59

    /// Encodes 60-move games (squares); throws for a game of another length or with an illegal move.
    public init(games: [[Int]]) throws {
        let positions = Self.positions
        var ids: [Int] = [], states: [Int] = [], legal: [Bool] = []
        ids.reserveCapacity(games.count * positions)
        states.reserveCapacity(games.count * positions * 64)
        legal.reserveCapacity(games.count * positions * OthelloSquares.vocabularySize)
        for (g, game) in games.enumerated() {
            guard game.count == positions + 1 else {
                throw LensError.invalidArgument("game \(g) has \(game.count) moves; Othello-GPT games have 60")
            }
            var board = OthelloBoard()
            for p in 0..<positions {
                do { try board.play(game[p]) } catch let error as OthelloError {
                    throw LensError.invalidArgument("game \(g): \(error)")
                }
                ids.append(try OthelloSquares.tokenID(square: game[p]))
                states += board.relativeStates.map(\.rawValue)
                var row = [Bool](repeating: false, count: OthelloSquares.vocabularySize)
                for square in board.legalMoves { row[try OthelloSquares.tokenID(square: square)] = true }
                legal += row
            }
        }
        self.games = games
        tokens = Tensor(ints: ids, shape: [games.count, positions])
        self.states = states
        self.legal = legal
    }

    /// `count` random games drawn with `seed` (`OthelloGames.random`).
    public static func random(count: Int, seed: UInt64) throws -> OthelloDataset {
        try OthelloDataset(games: OthelloGames.random(count: count, seed: seed))
    }

    /// Number of games.
    public var count: Int { games.count }

    /// The board classes `[8, 8]` after move `move` of game `game` (0 blank, 1 theirs, 2 mine).
    public func state(game: Int, move: Int) -> Tensor {
        let start = (game * Self.positions + move) * 64
        return Tensor(states[start..<(start + 64)].map(Float.init), shape: [8, 8])
    }

    /// The legal next moves after move `move` of game `game`, as square labels.
    public func legalLabels(game: Int, move: Int) -> [String] {
        let start = (game * Self.positions + move) * OthelloSquares.vocabularySize
        return (1..<OthelloSquares.vocabularySize).filter { legal[start + $0] }.map { OthelloSquares.label(OthelloSquares.playable[$0 - 1]) }
    }

    /// The share of positions at which the arg-max of `logits` (`[games, 59, 61]`) is a legal move.
    public func legalMoveAccuracy(logits: Tensor) throws -> Float {
        guard logits.shape == [count, Self.positions, OthelloSquares.vocabularySize] else {
            throw LensError.invalidArgument("logits \(logits.shape) are not [\(count), 59, 61]")
        }
        let top = logits.argmax(axis: -1).intScalars
        let hits = top.enumerated().filter { legal[$0.offset * OthelloSquares.vocabularySize + $0.element] }.count
        return Float(hits) / Float(top.count)
    }
}

/// The small Othello-GPT that ships with the repository (`Models/othello`).
public enum OthelloGPT {
    /// The folder's path inside the repository.
    public static let relativePath = "Models/othello"

    /// `Models/othello` under the current directory, else under the package root this library was built from.
    public static func folder() throws -> URL { try repositoryModelFolder(relativePath, name: "Othello-GPT") }

    /// Loads an Othello-GPT folder as the tutorial does (`load_state_dict`, weights unprocessed) and checks that
    /// it reads Othello moves (61 tokens, at least 59 positions).
    public static func load(_ folder: URL) throws -> LensModel {
        let model = LensModel(try HookedTransformer(pretrained: folder, processing: .none))
        guard model.config.dVocab == OthelloSquares.vocabularySize, model.config.dVocabOut == OthelloSquares.vocabularySize,
              model.config.nCtx >= OthelloDataset.positions else {
            throw WorkflowError.badFile(path: folder.path, reason: "not an Othello-GPT: d_vocab \(model.config.dVocab), "
                                        + "n_ctx \(model.config.nCtx) (needs 61 tokens and 59 positions)")
        }
        return model
    }
}
