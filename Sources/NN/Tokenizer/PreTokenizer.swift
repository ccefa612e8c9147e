/// Where Metaspace puts its replacement character in front of a piece.
enum PrependScheme: String, Sendable {
    case always
    case first
    case never
}

/// What a `Split` pre-tokenizer looks for.
enum SplitPattern: Sendable, Equatable {
    /// A literal string (`{"String": ...}`).
    case literal([UInt8])
    /// One of the recognised regexes (`{"Regex": ...}`), matched by a hand-written scanner.
    case scanner(SplitScanner)
}

/// A `pre_tokenizer` of `tokenizer.json`: cuts normalized text into the words the model sees.
indirect enum PreTokenizer: Sendable {
    /// GPT-2 byte-level: optional prefix space, optional GPT-2 regex split; the model then sees bytes.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// SentencePiece whitespace: spaces become `replacement`, optionally prepended and split on.
    case metaspace(replacement: [UInt8], scheme: PrependScheme, split: Bool)
    /// Split on a pattern with a delimiter behavior; `invert` swaps matches and gaps.
    case split(SplitPattern, SplitBehavior, invert: Bool)
    /// Numbers (general category N) apart: each digit alone, or runs together.
    case digits(individual: Bool)
    /// Several pre-tokenizers in order.
    case sequence([PreTokenizer])

    /// Whether a `ByteLevel` step is present (the model then receives raw bytes of each word).
    var isByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case let .sequence(steps): return steps.contains { $0.isByteLevel }
        default: return false
        }
    }

    /// Cuts every span of `text` in place.
    func apply(_ text: inout SplitText) {
        switch self {
        case let .byteLevel(addPrefixSpace, useRegex):
            if addPrefixSpace {
                text.rewrite { bytes, _, out in
                    if bytes.first != UInt8(ascii: " ") { out.append(UInt8(ascii: " ")) }
                    out.append(contentsOf: bytes)
                }
            }
            if useRegex {
                text.split { p, span, out in SplitScanner.gpt2.scan(p, span.start, span.end, into: &out) }
            }
        case let .metaspace(replacement, scheme, split):
            Self.metaspace(&text, replacement: replacement, scheme: scheme)
            if split {
                text.split { p, span, out in
                    let cover = PatternCover.literal(replacement, p, span.start, span.end, invert: false)
                    SplitBehavior.mergedWithNext.apply(cover, into: &out)
                }
            }
        case let .split(.scanner(scanner), .isolated, _):
            // Isolated keeps matches and gaps alike, so inverting changes nothing.
            text.split { p, span, out in scanner.scan(p, span.start, span.end, into: &out) }
        case let .split(pattern, behavior, invert):
            text.split { p, span, out in
                let cover: [(Range<Int>, Bool)]
                switch pattern {
                case let .literal(literal):
                    cover = PatternCover.literal(literal, p, span.start, span.end, invert: invert)
                case let .scanner(scanner):
                    var matches: [Range<Int>] = []
                    scanner.scan(p, span.start, span.end, into: &matches)
                    cover = matches.map { ($0, !invert) }
                }
                behavior.apply(cover, into: &out)
            }
        case let .digits(individual):
            text.split { p, span, out in
                let cover = PatternCover.characters(p, span.start, span.end, UnicodeClasses.isNumeric)
                (individual ? SplitBehavior.isolated : .contiguous).apply(cover, into: &out)
            }
        case let .sequence(steps):
            for step in steps { step.apply(&text) }
        }
    }

    /// Spaces become the replacement; the replacement is prepended when the scheme asks for it and the
    /// piece does not already start with it.
    private static func metaspace(_ text: inout SplitText, replacement: [UInt8], scheme: PrependScheme) {
        text.rewrite { bytes, span, out in
            let startsWithSpace = bytes.first == UInt8(ascii: " ")
            let startsWithReplacement = startsWithSpace || bytes.starts(with: replacement)
            let prepend: Bool
            switch scheme {
            case .always: prepend = !startsWithReplacement
            case .first: prepend = !startsWithReplacement && span.atStart
            case .never: prepend = false
            }
            if prepend { out.append(contentsOf: replacement) }
            for b in bytes {
                if b == UInt8(ascii: " ") { out.append(contentsOf: replacement) } else { out.append(b) }
            }
        }
    }
}
