/// Hand-written matchers for the three split regexes byte-level tokenizers use, run on UTF-8 bytes.
/// Each returns the end of the regex match that starts at `i`; these patterns match at every position,
/// so repeated calls cut the whole text into the exact pieces Oniguruma's `find_iter` yields.
///
/// GPT-2:   `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
/// Llama-3: `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|`
///          `\s*[\r\n]+|\s+(?!\S)|\s+`
/// Qwen2:   as Llama-3 with `\p{N}` (one digit per piece) in place of `\p{N}{1,3}`.
enum SplitScanner: Sendable, Equatable {
    case gpt2
    case llama3
    case qwen2

    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Pattern = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The scanner for a `Split` regex, or nil when the pattern is not one of the three.
    init?(pattern: String) {
        switch pattern {
        case Self.gpt2Pattern: self = .gpt2
        case Self.llama3Pattern: self = .llama3
        case Self.qwen2Pattern: self = .qwen2
        default: return nil
        }
    }

    /// Appends the match ranges covering `start..<end` of `p` to `out`.
    func scan(_ p: UnsafePointer<UInt8>, _ start: Int, _ end: Int, into out: inout [Range<Int>]) {
        UnicodeClasses.bmp.withUnsafeBufferPointer { table in
            let t = Classes(table: table.baseAddress!)
            var i = start
            while i < end {
                let next: Int
                switch self {
                case .gpt2: next = Self.gpt2Match(p, i, end, t)
                case .llama3: next = Self.llama3Match(p, i, end, maxDigits: 3, t)
                case .qwen2: next = Self.llama3Match(p, i, end, maxDigits: 1, t)
                }
                out.append(i..<next)
                i = next
            }
        }
    }

    /// The class table of the Basic Multilingual Plane, held for the duration of one scan.
    struct Classes {
        let table: UnsafePointer<UInt8>

        /// Class of the character at `i` (`UnicodeClasses.letter` ...) and its byte length.
        @inline(__always)
        func at(_ p: UnsafePointer<UInt8>, _ i: Int) -> (UInt8, Int) {
            let b = p[i]
            if b < 0x80 { return (table[Int(b)] & UnicodeClasses.classMask, 1) }
            let (scalar, length) = UTF8Scan.decode(p, i)
            if scalar < 0x10000 { return (table[Int(scalar)] & UnicodeClasses.classMask, length) }
            return (UnicodeClasses.regexClass(scalar), length)
        }
    }

    /// End of the run of characters of class `cls` starting at `i`.
    @inline(__always)
    static func run(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ cls: UInt8, _ t: Classes) -> Int {
        var j = i
        while j < end {
            let (c, length) = t.at(p, j)
            if c != cls { break }
            j += length
        }
        return j
    }

    /// `'s|'t|'m|'d` (2 bytes) or `'re|'ve|'ll` (3 bytes) at `i`, case-sensitive; 0 when absent.
    @inline(__always)
    static func contraction(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        guard p[i] == UInt8(ascii: "'"), i + 1 < end else { return 0 }
        switch p[i + 1] {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return i + 2 < end && p[i + 2] == UInt8(ascii: "e") ? 3 : 0
        case UInt8(ascii: "l"):
            return i + 2 < end && p[i + 2] == UInt8(ascii: "l") ? 3 : 0
        default: return 0
        }
    }

    /// Case-insensitive contraction: Oniguruma also folds U+017F LATIN SMALL LETTER LONG S to `s`.
    @inline(__always)
    static func foldedContraction(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
        guard p[i] == UInt8(ascii: "'"), i + 1 < end else { return 0 }
        // ORing 0x20 lowercases ASCII letters and maps no other byte onto one.
        let c = p[i + 1] | 0x20
        switch c {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"):
            return 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"):
            return i + 2 < end && p[i + 2] | 0x20 == UInt8(ascii: "e") ? 3 : 0
        case UInt8(ascii: "l"):
            return i + 2 < end && p[i + 2] | 0x20 == UInt8(ascii: "l") ? 3 : 0
        default:
            // U+017F is C5 BF in UTF-8.
            return i + 2 < end && p[i + 1] == 0xC5 && p[i + 2] == 0xBF ? 3 : 0
        }
    }

    /// `\s+(?!\S)|\s+` at `i`: the whitespace run, minus its last character when a non-space follows
    /// and the run has more than one character.
    @inline(__always)
    static func whitespaceMatch(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ t: Classes) -> Int {
        var j = i
        var lastStart = i
        while j < end {
            let (c, length) = t.at(p, j)
            if c != UnicodeClasses.whitespace { break }
            lastStart = j
            j += length
        }
        if j == end || lastStart == i { return j }
        return lastStart
    }

    static func gpt2Match(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, _ t: Classes) -> Int {
        let contracted = contraction(p, i, end)
        if contracted > 0 { return i + contracted }
        if p[i] == UInt8(ascii: " "), i + 1 < end {
            let (next, _) = t.at(p, i + 1)
            if next != UnicodeClasses.whitespace { return run(p, i + 1, end, next, t) }
        }
        let (cls, _) = t.at(p, i)
        if cls == UnicodeClasses.whitespace { return whitespaceMatch(p, i, end, t) }
        return run(p, i, end, cls, t)
    }

    static func llama3Match(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, maxDigits: Int, _ t: Classes) -> Int {
        let contracted = foldedContraction(p, i, end)
        if contracted > 0 { return i + contracted }
        let b = p[i]
        let (cls, length) = t.at(p, i)
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if cls == UnicodeClasses.letter { return run(p, i, end, cls, t) }
        let isNewline = b == 0x0A || b == 0x0D
        if cls != UnicodeClasses.number, !isNewline, i + length < end,
           t.at(p, i + length).0 == UnicodeClasses.letter {
            return run(p, i + length, end, UnicodeClasses.letter, t)
        }
        // \p{N}{1,maxDigits}
        if cls == UnicodeClasses.number {
            var j = i
            var count = 0
            while j < end, count < maxDigits {
                let (c, l) = t.at(p, j)
                if c != UnicodeClasses.number { break }
                j += l
                count += 1
            }
            return j
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var k = i
        if b == UInt8(ascii: " "), i + 1 < end, t.at(p, i + 1).0 == UnicodeClasses.other { k = i + 1 }
        if t.at(p, k).0 == UnicodeClasses.other {
            var j = run(p, k, end, UnicodeClasses.other, t)
            while j < end, p[j] == 0x0A || p[j] == 0x0D { j += 1 }
            return j
        }
        // `\s*[\r\n]+`: the whitespace run up to and including its last line break.
        var j = i
        var lastBreak = -1
        while j < end {
            let (c, l) = t.at(p, j)
            if c != UnicodeClasses.whitespace { break }
            if p[j] == 0x0A || p[j] == 0x0D { lastBreak = j }
            j += l
        }
        if lastBreak >= 0 { return lastBreak + 1 }
        return whitespaceMatch(p, i, end, t)
    }
}
