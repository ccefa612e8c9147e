/// A `decoder` of `tokenizer.json`: turns token strings back into text. Each step maps the list of
/// token strings to a new list (`decode_chain`); the final strings are concatenated.
indirect enum Decoder: Sendable {
    /// Byte-level characters back to bytes, all tokens at once, invalid UTF-8 replaced by U+FFFD.
    case byteLevel
    /// The replacement character becomes a space, except in the first token when a prefix was added.
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme)
    /// Runs of `<0xXX>` tokens become the text they encode (one U+FFFD per byte if not valid UTF-8).
    case byteFallback
    /// All tokens joined into one.
    case fuse
    /// Removes up to `start` leading and `stop` trailing copies of `content` from every token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// Replaces a literal string in every token.
    case replace(pattern: String, content: String)
    case sequence([Decoder])

    func decode(_ tokens: [String]) -> String { chain(tokens).joined() }

    func chain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            return [Self.byteLevel(tokens)]
        case let .metaspace(replacement, scheme):
            return tokens.enumerated().map { index, token in
                var out = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar != replacement {
                        out.append(scalar)
                    } else if index != 0 || scheme == .never {
                        out.append(" ")
                    }
                }
                return String(out)
            }
        case .byteFallback:
            return Self.byteFallback(tokens)
        case .fuse:
            return [tokens.joined()]
        case let .strip(content, start, stop):
            return tokens.map { Self.strip($0, content, start, stop) }
        case let .replace(pattern, content):
            return tokens.map { Self.replace($0, pattern, content) }
        case let .sequence(steps):
            return steps.reduce(tokens) { $1.chain($0) }
        }
    }

    private static func byteLevel(_ tokens: [String]) -> String {
        var bytes: [UInt8] = []
        for token in tokens {
            let start = bytes.count
            var complete = true
            for scalar in token.unicodeScalars {
                guard let b = ByteLevelAlphabet.byte(of: scalar) else { complete = false; break }
                bytes.append(b)
            }
            if !complete {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: token.utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The byte of a `<0xXX>` token (exactly six bytes, two hex digits).
    private static func fallbackByte(_ token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == UInt8(ascii: "<"), utf8[1] == UInt8(ascii: "0"),
              utf8[2] == UInt8(ascii: "x"), utf8[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }

    private static func byteFallback(_ tokens: [String]) -> [String] {
        var out: [String] = []
        var pending: [UInt8] = []
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                out.append(text)
            } else {
                out.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll()
        }
        for token in tokens {
            if let b = fallbackByte(token) {
                pending.append(b)
            } else {
                flush()
                out.append(token)
            }
        }
        flush()
        return out
    }

    private static func strip(_ token: String, _ content: Unicode.Scalar, _ start: Int, _ stop: Int) -> String {
        let scalars = Array(token.unicodeScalars)
        var lower = 0
        while lower < min(start, scalars.count), scalars[lower] == content { lower += 1 }
        var upper = scalars.count
        var removed = 0
        while removed < stop, upper > lower, scalars[upper - 1] == content {
            upper -= 1
            removed += 1
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[lower..<upper])
        return String(out)
    }

    private static func replace(_ token: String, _ pattern: String, _ content: String) -> String {
        let source = Array(token.utf8)
        let target = Array(pattern.utf8)
        guard !target.isEmpty, source.count >= target.count else { return token }
        var out: [UInt8] = []
        var i = 0
        while i < source.count {
            if i + target.count <= source.count, source[i..<(i + target.count)].elementsEqual(target) {
                out.append(contentsOf: content.utf8)
                i += target.count
            } else {
                out.append(source[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
