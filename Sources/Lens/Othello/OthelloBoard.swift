/// A player of Othello. Black moves first.
public enum OthelloPlayer: Int, Sendable, Equatable {
    /// The first player (+1 on the board).
    case black = 1
    /// The second player (−1 on the board).
    case white = -1

    /// The other player.
    public var opponent: OthelloPlayer { self == .black ? .white : .black }
}

/// What a square holds relative to the player to move: Othello-GPT's "mine / theirs / blank" board state.
/// The raw values are the class indices of the tutorial's probe (`[empty, theirs, mine]`).
public enum OthelloCellState: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// No stone.
    case blank = 0
    /// A stone of the player who just moved (the opponent of the player to move).
    case theirs = 1
    /// A stone of the player to move.
    case mine = 2

    public var description: String { ["blank", "theirs", "mine"][rawValue] }
}

/// Why a move cannot be played.
public enum OthelloError: Error, Equatable, CustomStringConvertible {
    /// A square outside 0..<64, a label that is not `A0`…`H7`, or a token id outside 0..<61.
    case badSquare(String)
    /// A move to an occupied square or one that flips nothing; `legal` are the labels of the legal moves.
    case illegalMove(String, moveIndex: Int, legal: [String])
    /// A move after the game ended (neither player can move).
    case gameOver(moveIndex: Int)

    public var description: String {
        switch self {
        case let .badSquare(text): return "\(text) is not an Othello square (A0…H7, 0..<64, or a token id 1…60)"
        case let .illegalMove(label, index, legal):
            return "move \(index) (\(label)) is illegal; legal moves: \(legal.joined(separator: " "))"
        case let .gameOver(index): return "move \(index) comes after the end of the game"
        }
    }
}

/// An Othello position: 64 squares, row-major (`square = 8·row + col`), +1 black, −1 white, 0 empty, and the
/// player to move. The start position has black on D4 and E3, white on D3 and E4, as in Othello-GPT.
///
/// `play` passes for a player who has no legal move (as the synthetic games do: a pass is not a token),
/// and throws for an illegal move, naming it and the legal ones.
public struct OthelloBoard: Sendable, Equatable, CustomStringConvertible {
    /// `cells[square]`: +1 black, −1 white, 0 empty.
    public private(set) var cells: [Int]
    /// Whose move it is (after any forced pass), nil once neither player can move.
    public private(set) var toMove: OthelloPlayer?
    /// How many moves have been played.
    public private(set) var moveCount = 0

    private static let directions = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]

    /// The start position, black to move.
    public init() {
        cells = [Int](repeating: 0, count: 64)
        cells[3 * 8 + 4] = 1
        cells[4 * 8 + 3] = 1
        cells[3 * 8 + 3] = -1
        cells[4 * 8 + 4] = -1
        toMove = .black
    }

    /// The position after playing `squares` (0..<64) from the start; throws at the first illegal move.
    public init(moves squares: [Int]) throws {
        self.init()
        for square in squares { try play(square) }
    }

    /// Squares the player to move may play, ascending (empty once the game is over).
    public var legalMoves: [Int] {
        guard let player = toMove else { return [] }
        return Self.legalMoves(cells, player)
    }

    /// The stones a move to `square` by the player to move would flip (empty when the move is illegal).
    public func flips(_ square: Int) -> [Int] {
        guard let player = toMove, (0..<64).contains(square) else { return [] }
        return Self.flips(cells, player, square)
    }

    /// Plays `square` (0..<64) for the player to move, flips the enclosed stones, and hands the move to the
    /// opponent, or back to the mover when the opponent has no legal move.
    public mutating func play(_ square: Int) throws {
        guard (0..<64).contains(square) else { throw OthelloError.badSquare(String(square)) }
        guard let player = toMove else { throw OthelloError.gameOver(moveIndex: moveCount) }
        let flipped = Self.flips(cells, player, square)
        guard !flipped.isEmpty else {
            throw OthelloError.illegalMove(OthelloSquares.label(square), moveIndex: moveCount,
                                           legal: legalMoves.map(OthelloSquares.label))
        }
        cells[square] = player.rawValue
        for f in flipped { cells[f] = player.rawValue }
        moveCount += 1
        if !Self.legalMoves(cells, player.opponent).isEmpty {
            toMove = player.opponent
        } else {
            toMove = Self.legalMoves(cells, player).isEmpty ? nil : player
        }
    }

    /// Each square relative to the player to move (`mine` = their stones); all `blank` once the game is over.
    public var relativeStates: [OthelloCellState] {
        guard let player = toMove else { return [OthelloCellState](repeating: .blank, count: 64) }
        return cells.map { $0 == 0 ? .blank : ($0 == player.rawValue ? .mine : .theirs) }
    }

    /// Rows A…H of `.` empty, `x` black, `o` white.
    public var description: String {
        (0..<8).map { r in
            let row = (0..<8).map { c in cells[8 * r + c] == 0 ? "." : (cells[8 * r + c] > 0 ? "x" : "o") }
            return OthelloSquares.rowLetters[r] + " " + row.joined(separator: " ")
        }.joined(separator: "\n")
    }

    static func legalMoves(_ cells: [Int], _ player: OthelloPlayer) -> [Int] {
        (0..<64).filter { !flips(cells, player, $0).isEmpty }
    }

    /// The opponent stones enclosed by a move to `square` (empty if the square is taken or nothing is enclosed).
    static func flips(_ cells: [Int], _ player: OthelloPlayer, _ square: Int) -> [Int] {
        guard cells[square] == 0 else { return [] }
        let me = player.rawValue, row = square / 8, col = square % 8
        var flipped: [Int] = []
        for (dr, dc) in directions {
            var run: [Int] = []
            var r = row + dr, c = col + dc
            while (0..<8).contains(r), (0..<8).contains(c), cells[8 * r + c] == -me {
                run.append(8 * r + c)
                r += dr
                c += dc
            }
            if !run.isEmpty, (0..<8).contains(r), (0..<8).contains(c), cells[8 * r + c] == me { flipped += run }
        }
        return flipped
    }
}
