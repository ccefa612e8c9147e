/// A parsed einops pattern `"left -> right"`, e.g. `"b (h d) -> b h d"`.
///
/// Each side is a list of groups (one per tensor axis); a group lists elementary axes.
/// A bare name is a group of one, `(h d)` a group of two, `1` and `()` empty groups (an axis of
/// size 1), `...` stands for the axes no other group claims, and an integer other than 1 is an
/// anonymous axis of that size (it never matches an axis on the other side).
struct EinopsPattern {
    /// One elementary axis.
    enum Axis: Hashable {
        case named(String)
        /// An integer in the pattern; `id` keeps every occurrence distinct.
        case anonymous(size: Int, id: Int)
        case ellipsis
        /// Axis `k` of the expanded ellipsis.
        case ellipsisAxis(Int)
    }

    /// The operation name for errors (`rearrange`, `repeat`, `reduce`).
    let op: String
    /// The pattern as written.
    let text: String
    /// Groups of the left side.
    let left: [[Axis]]
    /// Groups of the right side.
    let right: [[Axis]]

    /// Parses `text`, throwing `invalidSpec` naming the side and token at fault.
    init(parsing text: String, op: String) throws {
        self.op = op
        self.text = text
        let sides = text.split(separator: "->", omittingEmptySubsequences: false).map(String.init)
        guard sides.count == 2 else {
            throw TensorError.invalidSpec(op: op, spec: text, reason: "expected exactly one '->'")
        }
        var anonymous = 0
        left = try EinopsPattern.groups(sides[0], side: "left", op: op, spec: text, anonymous: &anonymous)
        right = try EinopsPattern.groups(sides[1], side: "right", op: op, spec: text, anonymous: &anonymous)
        if left.contains(where: { $0.contains(.ellipsis) && $0.count > 1 }) {
            throw error("'...' inside parentheses is not allowed on the left side")
        }
        if !hasEllipsis(left) && hasEllipsis(right) {
            throw error("'...' is on the right side but not the left")
        }
    }

    /// An `invalidSpec` error for this pattern.
    func error(_ reason: String) -> TensorError {
        TensorError.invalidSpec(op: op, spec: text, reason: reason)
    }

    /// A human-readable name for an axis.
    static func name(_ axis: Axis) -> String {
        switch axis {
        case let .named(n): return n
        case let .anonymous(size, _): return "\(size)"
        case .ellipsis: return "..."
        case let .ellipsisAxis(k): return "...[\(k)]"
        }
    }

    private func hasEllipsis(_ groups: [[Axis]]) -> Bool { groups.contains { $0.contains(.ellipsis) } }

    /// The groups of one side.
    private static func groups(
        _ side: String, side label: String, op: String, spec: String, anonymous: inout Int
    ) throws -> [[Axis]] {
        func fail(_ reason: String) -> TensorError {
            TensorError.invalidSpec(op: op, spec: spec, reason: "\(label) side: \(reason)")
        }
        var groups: [[Axis]] = []
        var open: [Axis]? = nil
        var seen = Set<Axis>()
        for token in try tokens(side, fail: fail) {
            switch token {
            case "(":
                guard open == nil else { throw fail("nested parentheses") }
                open = []
            case ")":
                guard let group = open else { throw fail("')' without '('") }
                groups.append(group)
                open = nil
            default:
                guard let axis = try axis(token, anonymous: &anonymous, fail: fail) else {
                    if open == nil { groups.append([]) }
                    continue
                }
                if case .anonymous = axis {} else {
                    guard seen.insert(axis).inserted else { throw fail("axis '\(token)' appears twice") }
                }
                if open != nil { open!.append(axis) } else { groups.append([axis]) }
            }
        }
        guard open == nil else { throw fail("'(' is never closed") }
        return groups
    }

    /// The elementary axis a token names, or nil for the unit axis `1`.
    private static func axis(
        _ token: String, anonymous: inout Int, fail: (String) -> TensorError
    ) throws -> Axis? {
        if token == "..." { return .ellipsis }
        if let first = token.first, first.isNumber {
            guard let size = Int(token), size > 0 else { throw fail("bad anonymous axis size '\(token)'") }
            if size == 1 { return nil }
            anonymous += 1
            return .anonymous(size: size, id: anonymous)
        }
        return .named(token)
    }

    /// Splits a side into `(`, `)`, `...`, identifiers and integers.
    private static func tokens(_ side: String, fail: (String) -> TensorError) throws -> [String] {
        var out: [String] = []
        var rest = Substring(side)
        while let c = rest.first {
            if c.isWhitespace {
                rest.removeFirst()
            } else if c == "(" || c == ")" {
                out.append(String(c))
                rest.removeFirst()
            } else if rest.hasPrefix("...") {
                out.append("...")
                rest.removeFirst(3)
            } else if c == "_" || c.isASCII && (c.isLetter || c.isNumber) {
                let word = rest.prefix { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
                if c.isNumber && !word.allSatisfy(\.isNumber) { throw fail("bad axis name '\(word)'") }
                out.append(String(word))
                rest.removeFirst(word.count)
            } else {
                throw fail("bad character '\(c)'")
            }
        }
        return out
    }
}
