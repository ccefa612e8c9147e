/// Othello-GPT's names for squares: labels `A0`…`H7` (row letter, column digit: `C0` is row 2, column 0) and
/// token ids (0 is "pass"; 1…60 are the 60 playable squares, the centre four excluded, in increasing order).
public enum OthelloSquares {
    /// Row letters.
    static let rowLetters = ["A", "B", "C", "D", "E", "F", "G", "H"]
    /// The four centre squares, occupied from the start (D3, D4, E3, E4).
    public static let centre = [27, 28, 35, 36]
    /// The 60 playable squares in token order (`playable[id - 1]` is the square of token `id`).
    public static let playable: [Int] = (0..<64).filter { !centre.contains($0) }
    /// The number of tokens: pass plus 60 squares.
    public static let vocabularySize = 61
    /// The label of each square, `labels[square]`.
    public static let labels: [String] = (0..<64).map { rowLetters[$0 / 8] + String($0 % 8) }

    /// `"C0"` for square 16.
    public static func label(_ square: Int) -> String { (0..<64).contains(square) ? labels[square] : "?\(square)" }

    /// The square of a label (`"C0"` → 16); throws for anything but `A0`…`H7`.
    public static func square(label: String) throws -> Int {
        guard let square = labels.firstIndex(of: label.uppercased()) else { throw OthelloError.badSquare(label) }
        return square
    }

    /// The token id of a playable square (`1…60`); throws for a centre square or one off the board.
    public static func tokenID(square: Int) throws -> Int {
        guard let index = playable.firstIndex(of: square) else { throw OthelloError.badSquare(String(square)) }
        return index + 1
    }

    /// The token id of a label (`label_to_id`).
    public static func tokenID(label: String) throws -> Int { try tokenID(square: square(label: label)) }

    /// The square of a token id 1…60 (`id_to_square`); throws for pass (0) and ids outside the vocabulary.
    public static func square(tokenID id: Int) throws -> Int {
        guard (1...60).contains(id) else { throw OthelloError.badSquare("token \(id)") }
        return playable[id - 1]
    }
}

/// Random legal games, the synthetic data Othello-GPT is trained on.
public enum OthelloGames {
    /// `count` games of 60 moves (squares), each move drawn uniformly among the legal ones with
    /// `SeededGenerator(seed)`; games that end before the board is full are drawn again.
    public static func random(count: Int, seed: UInt64) -> [[Int]] {
        var generator = SeededGenerator(seed: seed)
        var games: [[Int]] = []
        while games.count < count {
            var board = OthelloBoard()
            var moves: [Int] = []
            while let _ = board.toMove {
                let legal = board.legalMoves
                let move = legal.randomElement(using: &generator)!
                try! board.play(move)
                moves.append(move)
            }
            if moves.count == 60 { games.append(moves) }
        }
        return games
    }

    /// The boards after each move of `squares`: `boards[i]` follows move `i`.
    public static func boards(_ squares: [Int]) throws -> [OthelloBoard] {
        var board = OthelloBoard()
        return try squares.map { square in
            try board.play(square)
            return board
        }
    }
}
