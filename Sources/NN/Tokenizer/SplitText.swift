/// Text being cut into words: one UTF-8 byte buffer and the spans taken from it, in order.
/// `atStart` marks a span whose text begins at offset 0 of the original input (Metaspace's
/// `prepend_scheme: "first"` prepends only there).
struct SplitText {
    struct Span {
        var start: Int
        var end: Int
        var atStart: Bool
    }

    var bytes: [UInt8]
    var spans: [Span]

    /// One span covering all of `bytes` (none when `bytes` is empty).
    init(bytes: [UInt8], atStart: Bool) {
        self.bytes = bytes
        spans = bytes.isEmpty ? [] : [Span(start: 0, end: bytes.count, atStart: atStart)]
    }

    /// Replaces every span by the pieces `cut` returns for it (offsets into `bytes`); empty pieces are
    /// dropped and only a piece that begins where its span begins keeps the span's `atStart`.
    mutating func split(_ cut: (UnsafePointer<UInt8>, Span, inout [Range<Int>]) -> Void) {
        var newSpans: [Span] = []
        newSpans.reserveCapacity(spans.count * 2)
        var pieces: [Range<Int>] = []
        bytes.withUnsafeBufferPointer { buffer in
            guard let p = buffer.baseAddress else { return }
            for span in spans {
                pieces.removeAll(keepingCapacity: true)
                cut(p, span, &pieces)
                for piece in pieces where !piece.isEmpty {
                    newSpans.append(Span(start: piece.lowerBound, end: piece.upperBound,
                                         atStart: span.atStart && piece.lowerBound == span.start))
                }
            }
        }
        spans = newSpans
    }

    /// Rewrites every span's bytes into a new buffer through `rewrite(span bytes, span, output)`.
    mutating func rewrite(_ rewrite: (ArraySlice<UInt8>, Span, inout [UInt8]) -> Void) {
        var newBytes: [UInt8] = []
        newBytes.reserveCapacity(bytes.count + bytes.count / 4 + 8)
        var newSpans: [Span] = []
        newSpans.reserveCapacity(spans.count)
        for span in spans {
            let start = newBytes.count
            rewrite(bytes[span.start..<span.end], span, &newBytes)
            if newBytes.count > start {
                newSpans.append(Span(start: start, end: newBytes.count, atStart: span.atStart))
            }
        }
        bytes = newBytes
        spans = newSpans
    }
}

/// How `Split`-style pre-tokenizers treat the matched delimiters (`SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    /// Turns a cover of the text by (range, is-a-match) pieces into the kept ranges.
    func apply(_ pieces: [(Range<Int>, Bool)], into out: inout [Range<Int>]) {
        switch self {
        case .isolated:
            for (range, _) in pieces { out.append(range) }
        case .removed:
            for (range, isMatch) in pieces where !isMatch { out.append(range) }
        case .contiguous:
            var previous = false
            let first = out.count
            for (range, isMatch) in pieces {
                if isMatch == previous, out.count > first {
                    out[out.count - 1] = out[out.count - 1].lowerBound..<range.upperBound
                } else {
                    out.append(range)
                }
                previous = isMatch
            }
        case .mergedWithPrevious:
            var previous = false
            let first = out.count
            for (range, isMatch) in pieces {
                if isMatch, !previous, out.count > first {
                    out[out.count - 1] = out[out.count - 1].lowerBound..<range.upperBound
                } else {
                    out.append(range)
                }
                previous = isMatch
            }
        case .mergedWithNext:
            var reversed: [Range<Int>] = []
            var previous = false
            for (range, isMatch) in pieces.reversed() {
                if isMatch, !previous, let last = reversed.last {
                    reversed[reversed.count - 1] = range.lowerBound..<last.upperBound
                } else {
                    reversed.append(range)
                }
                previous = isMatch
            }
            out.append(contentsOf: reversed.reversed())
        }
    }
}

/// Finds a pattern in `p[start..<end]` and returns the (range, is-a-match) cover of that text.
enum PatternCover {
    /// Non-overlapping left-to-right occurrences of a literal byte string.
    static func literal(_ pattern: [UInt8], _ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                        invert: Bool) -> [(Range<Int>, Bool)] {
        var pieces: [(Range<Int>, Bool)] = []
        guard !pattern.isEmpty else { return [(start..<end, invert)] }
        var last = start
        var i = start
        while i + pattern.count <= end {
            if matches(pattern, p, i) {
                if last < i { pieces.append((last..<i, invert)) }
                pieces.append((i..<(i + pattern.count), !invert))
                i += pattern.count
                last = i
            } else {
                i += 1
            }
        }
        if last < end { pieces.append((last..<end, invert)) }
        return pieces
    }

    @inline(__always)
    static func matches(_ pattern: [UInt8], _ p: UnsafePointer<UInt8>, _ at: Int) -> Bool {
        for k in 0..<pattern.count where p[at + k] != pattern[k] { return false }
        return true
    }

    /// Every character for which `predicate(scalar)` holds is a one-character match.
    static func characters(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int,
                           _ predicate: (UInt32) -> Bool) -> [(Range<Int>, Bool)] {
        var pieces: [(Range<Int>, Bool)] = []
        var last = start
        var i = start
        while i < end {
            let (scalar, length) = UTF8Scan.decode(p, i)
            if predicate(scalar) {
                if last < i { pieces.append((last..<i, false)) }
                pieces.append((i..<(i + length), true))
                last = i + length
            }
            i += length
        }
        if last < end { pieces.append((last..<end, false)) }
        return pieces
    }
}
