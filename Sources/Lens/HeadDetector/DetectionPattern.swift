/// The attention pattern a kind of head is expected to show on a token sequence (TransformerLens's
/// `head_detector` patterns), a lower-triangular `[pos, pos]` matrix of 0s and 1s (or any weights for `custom`).
public enum DetectionPattern {
    /// Each position attends to the one before it (`get_previous_token_head_detection_pattern`).
    case previousToken
    /// Each position attends to earlier occurrences of its own token (`get_duplicate_token_head_detection_pattern`).
    case duplicateToken
    /// Each position attends to the token after an earlier occurrence of its own token
    /// (`get_induction_head_detection_pattern`).
    case induction
    /// A given `[pos, pos]` lower-triangular pattern.
    case custom(Tensor)

    /// TransformerLens's name for a built-in pattern (`previous_token_head`, …), nil for `custom`.
    public var name: String? {
        switch self {
        case .previousToken: return "previous_token_head"
        case .duplicateToken: return "duplicate_token_head"
        case .induction: return "induction_head"
        case .custom: return nil
        }
    }

    /// The pattern for `tokens`: `[pos, pos]`.
    ///
    /// previous token: `P[i, i-1] = 1`; duplicate token: `P[i, j] = 1` for `j < i` with `tokens[j] == tokens[i]`;
    /// induction: the duplicate pattern shifted one column right (`P[i, j] = D[i, j-1]`, column 0 zero), kept
    /// lower-triangular; custom: the given matrix (checked to be `[pos, pos]` and lower-triangular).
    public func matrix(for tokens: [Int]) throws -> Tensor {
        let n = tokens.count
        var values = [Float](repeating: 0, count: n * n)
        switch self {
        case .previousToken:
            for i in 1..<max(n, 1) { values[i * n + i - 1] = 1 }
        case .duplicateToken, .induction:
            let shift = self.name == "induction_head" ? 1 : 0
            for i in 0..<n {
                for j in 0..<i where tokens[j] == tokens[i] && j + shift <= i { values[i * n + j + shift] = 1 }
            }
        case let .custom(pattern):
            guard pattern.shape == [n, n] else {
                throw LensError.invalidArgument("the detection pattern must be [\(n), \(n)] for \(n) tokens, got \(pattern.shape)")
            }
            let given = pattern.contiguous().scalars
            for i in 0..<n where given[(i * n + i + 1)..<(i * n + n)].contains(where: { $0 != 0 }) {
                throw LensError.invalidArgument("the detection pattern must be lower triangular (row \(i) has entries after the diagonal)")
            }
            values = given
        }
        return Tensor(values, shape: [n, n])
    }
}

/// How an attention pattern is compared with a detection pattern (`error_measure`).
public enum HeadErrorMeasure: String, Sendable, CaseIterable {
    /// `Σ attention·detection / Σ attention`: the share of attention on the detected pairs.
    case mul
    /// `1 − round(Σ |attention − detection| / pos, 3)`: 1 for a perfect match.
    case abs
}
