/// An entry of `added_tokens`: text matched in the input before the model runs.
public struct AddedToken: Sendable, Equatable {
    /// The token's text.
    public let content: String
    /// Its id.
    public let id: Int
    /// Special tokens are dropped by `decode(_:skipSpecialTokens: true)`.
    public let special: Bool
    /// Matches absorb the whitespace on their left.
    public let lstrip: Bool
    /// Matches absorb the whitespace on their right.
    public let rstrip: Bool
    /// Matched against normalized text (its own content normalized) rather than the raw input.
    public let normalized: Bool
    /// Matches only where neither neighbour is a word character (`\w`).
    public let singleWord: Bool
}

/// Leftmost-longest matcher over a set of added tokens (the Aho-Corasick `find_iter` of `tokenizers`),
/// built as a byte trie. Patterns are tried in the order given: special tokens first, then the rest.
struct AddedTokenMatcher: Sendable {
    private struct Node: Sendable {
        var children: [(UInt8, Int32)] = []
        /// Index into `tokens` of the pattern ending here, -1 if none.
        var token: Int32 = -1
    }

    private var nodes: [Node] = [Node()]
    /// For each first byte, the root child (or -1).
    private var rootChildren = [Int32](repeating: -1, count: 256)
    let tokens: [AddedToken]

    var isEmpty: Bool { tokens.isEmpty }

    /// `patterns[i]` is the UTF-8 text matched for `tokens[i]`; empty patterns are ignored and, as
    /// with equal patterns, the earlier one wins.
    init(tokens: [AddedToken], patterns: [[UInt8]]) {
        self.tokens = tokens
        for (index, pattern) in patterns.enumerated() where !pattern.isEmpty {
            var node = -1
            for b in pattern {
                node = child(of: node, b) ?? addChild(to: node, b)
            }
            if nodes[node].token < 0 { nodes[node].token = Int32(index) }
        }
    }

    private func child(of node: Int, _ b: UInt8) -> Int? {
        if node < 0 { return rootChildren[Int(b)] >= 0 ? Int(rootChildren[Int(b)]) : nil }
        return nodes[node].children.first { $0.0 == b }.map { Int($0.1) }
    }

    private mutating func addChild(to node: Int, _ b: UInt8) -> Int {
        nodes.append(Node())
        let index = nodes.count - 1
        if node < 0 { rootChildren[Int(b)] = Int32(index) } else { nodes[node].children.append((b, Int32(index))) }
        return index
    }

    /// The longest pattern starting at `i`: (token index, end), or nil.
    @inline(__always)
    private func longestMatch(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> (Int, Int)? {
        var node = Int(rootChildren[Int(p[i])])
        if node < 0 { return nil }
        var best: (Int, Int)?
        var j = i + 1
        while true {
            if nodes[node].token >= 0 { best = (Int(nodes[node].token), j) }
            guard j < end, let next = nodes[node].children.first(where: { $0.0 == p[j] }) else { break }
            node = Int(next.1)
            j += 1
        }
        return best
    }

    /// A cut of a sentence: a range of it and the added token matched there (nil for plain text).
    struct Piece {
        var range: Range<Int>
        var token: AddedToken?
    }

    /// Cuts `sentence` into plain pieces and added-token matches; the pieces cover the sentence.
    /// `single_word` matches with a word character beside them are skipped; `lstrip` / `rstrip`
    /// matches absorb the adjacent whitespace.
    func split(_ sentence: [UInt8]) -> [Piece] {
        if tokens.isEmpty || sentence.isEmpty { return [Piece(range: 0..<sentence.count, token: nil)] }
        return sentence.withUnsafeBufferPointer { buffer -> [Piece] in
            let p = buffer.baseAddress!
            let n = buffer.count
            var pieces: [Piece] = []
            var startOffset = 0
            var i = 0
            while i < n {
                guard let (index, stop) = longestMatch(p, i, n) else { i += 1; continue }
                let token = tokens[index]
                var start = i
                var end = stop
                i = stop
                if token.singleWord, !Self.isWordBoundary(p, start, end, n) { continue }
                if token.lstrip { start = max(Self.whitespaceStart(p, before: start), startOffset) }
                if token.rstrip { end = Self.whitespaceEnd(p, from: end, n) }
                guard start >= startOffset else { continue }
                if startOffset < start { pieces.append(Piece(range: startOffset..<start, token: nil)) }
                pieces.append(Piece(range: start..<end, token: token))
                startOffset = end
                i = max(i, end)
            }
            if startOffset < n { pieces.append(Piece(range: startOffset..<n, token: nil)) }
            return pieces
        }
    }

    /// Neither the character before `start` nor the one at `end` is a word character.
    private static func isWordBoundary(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, _ n: Int) -> Bool {
        if start > 0 {
            var k = start - 1
            while k > 0, p[k] & 0xC0 == 0x80 { k -= 1 }
            if UnicodeClasses.isWordCharacter(UTF8Scan.decode(p, k).scalar) { return false }
        }
        if end < n, UnicodeClasses.isWordCharacter(UTF8Scan.decode(p, end).scalar) { return false }
        return true
    }

    /// Start of the run of whitespace that ends at `before`.
    private static func whitespaceStart(_ p: UnsafePointer<UInt8>, before: Int) -> Int {
        var start = before
        while start > 0 {
            var k = start - 1
            while k > 0, p[k] & 0xC0 == 0x80 { k -= 1 }
            if !UnicodeClasses.isWhitespace(UTF8Scan.decode(p, k).scalar) { break }
            start = k
        }
        return start
    }

    /// End of the run of whitespace that starts at `from`.
    private static func whitespaceEnd(_ p: UnsafePointer<UInt8>, from: Int, _ n: Int) -> Int {
        var end = from
        while end < n {
            let (scalar, length) = UTF8Scan.decode(p, end)
            if !UnicodeClasses.isWhitespace(scalar) { break }
            end += length
        }
        return end
    }
}
